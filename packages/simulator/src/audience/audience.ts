import { randomBytes } from 'node:crypto';
import type { NotificationPayload } from '@hoot/events';
import type { Logger } from 'pino';
import { readPush, type SimulatedBrowser, subscriptionOf } from '../browser/simulated-browser.ts';
import { postWithRetry } from '../http/post-with-retry.ts';
import type { SimulatorMetrics } from '../metrics.ts';
import { ORDER_SIGNATURE_HEADER, signedOrder } from '../orders/signed-order.ts';
import type { PushMessage, PushReceiver } from '../push-service/push-service.ts';
import { type AudienceBehaviour, drawReaction } from './reactions.ts';

/**
 * How long a ping may be retried after its event: the service worker's budgets, inside
 * Chromium's limits on extending a push event (90 s) and a click event (5 min).
 */
const DELIVERY_PING_BUDGET_MS = 80_000;
const CLICK_PING_BUDGET_MS = 280_000;
/** Stores retry webhooks for much longer; a few minutes covers an api restart. */
const ORDER_BUDGET_MS = 280_000;
/** At start the api may still be coming up. */
const SUBSCRIBE_BUDGET_MS = 120_000;

export interface AudienceOptions {
  /** The merchant whose site the browsers subscribed on, and its webhook secret for orders. */
  merchant: string;
  webhookSecret: string;
  /** The api's base URL, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  behaviour: AudienceBehaviour;
  /** ISO 4217 code of the orders. */
  currency: string;
  browsers: SimulatedBrowser[];
  /** The VAPID key the browsers subscribe with; undefined: pushes signed by any key are taken. */
  applicationServerKey: string | undefined;
  subscribeConcurrency: number;
  metrics: SimulatorMetrics;
  logger: Logger;
  random?: () => number;
}

/** Running totals, for the periodic summary in the logs. */
export interface AudienceTally {
  pushes: number;
  deliveries: number;
  clicks: number;
  orders: number;
}

/**
 * A simulated audience: browsers subscribed to a merchant through the api's public endpoint,
 * each reacting to a push as a person with the Hoot service worker would. The browser decrypts
 * the push (the push service has checked VAPID already), then sends the delivery ping after a
 * delay, perhaps a click ping later, and perhaps the store posts a signed order after the click.
 * Pings follow the service worker: text/plain JSON to the payload's `ping_url`, the time taken
 * when the event happens, retries on network errors, 429 and 5xx.
 */
export function createAudience(options: AudienceOptions) {
  const { metrics, logger } = options;
  const random = options.random ?? Math.random;
  const byEndpoint = new Map(options.browsers.map((browser) => [browser.endpointId, browser]));
  const stopping = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  const tally: AudienceTally = { pushes: 0, deliveries: 0, clicks: 0, orders: 0 };
  let subscribed = 0;

  function track<T>(work: Promise<T>): void {
    inFlight.add(work);
    work.finally(() => inFlight.delete(work)).catch(() => {});
  }

  /** Runs `step` after `ms`, unless the audience stops first. */
  function later(ms: number, step: () => Promise<void>): void {
    if (stopping.signal.aborted) return;
    metrics.pendingReactions.inc();
    const timer = setTimeout(() => {
      timers.delete(timer);
      metrics.pendingReactions.dec();
      track(step());
    }, ms);
    timers.add(timer);
  }

  async function ping(payload: NotificationPayload, type: 'delivery' | 'click'): Promise<boolean> {
    const body = JSON.stringify({ pings: [{ type, token: payload.token, time: new Date().toISOString() }] });
    const outcome = await postWithRetry(payload.ping_url, {
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body,
      budgetMs: type === 'delivery' ? DELIVERY_PING_BUDGET_MS : CLICK_PING_BUDGET_MS,
      signal: stopping.signal,
      random,
      onRetry: (reason) => metrics.retries.inc({ kind: `${type}_ping`, reason }),
    });
    metrics.pings.inc({ type, outcome: outcome.kind });
    if (outcome.kind === 'refused') {
      logger.warn({ type, status: outcome.status, answer: outcome.body }, 'the api refused a ping');
    } else if (outcome.kind === 'gave_up') {
      logger.warn({ type, status: outcome.status, attempts: outcome.attempts }, 'gave up sending a ping');
    }
    return outcome.kind === 'accepted';
  }

  async function order(payload: NotificationPayload, totalMinor: number): Promise<void> {
    const { body, signature } = signedOrder(
      {
        order_id: `sim-${randomBytes(8).toString('hex')}`,
        subscriber_id: payload.subscriber_id,
        total_minor: totalMinor,
        currency: options.currency,
        created_at: new Date().toISOString(),
      },
      options.webhookSecret,
    );
    const outcome = await postWithRetry(
      `${options.apiUrl}/v1/webhooks/orders/${encodeURIComponent(options.merchant)}`,
      {
        headers: { 'content-type': 'application/json', [ORDER_SIGNATURE_HEADER]: signature },
        body,
        budgetMs: ORDER_BUDGET_MS,
        signal: stopping.signal,
        random,
        onRetry: (reason) => metrics.retries.inc({ kind: 'order', reason }),
      },
    );
    metrics.orders.inc({ outcome: outcome.kind });
    if (outcome.kind === 'accepted') tally.orders++;
    if (outcome.kind === 'refused') {
      logger.warn({ status: outcome.status, answer: outcome.body }, 'the api refused an order');
    }
  }

  function react(payload: NotificationPayload): void {
    const reaction = drawReaction(options.behaviour, random);
    if (reaction.deliveryAfterMs === undefined) return;
    later(reaction.deliveryAfterMs, async () => {
      if (await ping(payload, 'delivery')) tally.deliveries++;
      if (reaction.clickAfterMs === undefined) return;
      later(reaction.clickAfterMs, async () => {
        if (await ping(payload, 'click')) tally.clicks++;
        // Only this merchant's store signs orders with this secret.
        if (reaction.order === undefined || payload.merchant !== options.merchant) return;
        const { afterMs, totalMinor } = reaction.order;
        later(afterMs, () => order(payload, totalMinor));
      });
    });
  }

  function receive(browser: SimulatedBrowser, message: PushMessage): { status: number } {
    tally.pushes++;
    let payload: NotificationPayload | null;
    try {
      payload = readPush(browser, message.body);
    } catch (error) {
      // A push service cannot read payloads: it accepts the message and the browser drops it.
      metrics.pushesReceived.inc({ outcome: 'undecryptable' });
      logger.warn(
        { endpoint: browser.endpointId, err: error },
        'a push did not decrypt with its browser keys',
      );
      return { status: 201 };
    }
    if (payload === null) {
      metrics.pushesReceived.inc({ outcome: 'not_hoot_payload' });
      return { status: 201 };
    }
    metrics.pushesReceived.inc({ outcome: 'decrypted' });
    logger.debug({ endpoint: browser.endpointId, notification: payload.notification_id }, 'push decrypted');
    react(payload);
    return { status: 201 };
  }

  async function subscribe(browser: SimulatedBrowser, endpoint: string): Promise<boolean> {
    const outcome = await postWithRetry(
      `${options.apiUrl}/v1/merchants/${encodeURIComponent(options.merchant)}/subscriptions`,
      {
        headers: { 'content-type': 'application/json', 'user-agent': 'HootSimulatedBrowser/1' },
        body: JSON.stringify(subscriptionOf(browser, endpoint)),
        budgetMs: SUBSCRIBE_BUDGET_MS,
        signal: stopping.signal,
        random,
        onRetry: (reason) => metrics.retries.inc({ kind: 'subscription', reason }),
      },
    );
    if (outcome.kind === 'accepted') {
      const answer = outcome.body as { status?: string };
      metrics.subscriptions.inc({ outcome: answer.status ?? 'accepted' });
      return true;
    }
    metrics.subscriptions.inc({ outcome: outcome.kind });
    if (outcome.kind === 'refused') {
      logger.error({ status: outcome.status, answer: outcome.body }, 'the api refused a subscription');
    }
    return false;
  }

  return {
    /** The receiver behind a browser's endpoint id, for the push service. */
    resolve(endpointId: string): PushReceiver | undefined {
      const browser = byEndpoint.get(endpointId);
      if (browser === undefined) return undefined;
      return {
        applicationServerKey: options.applicationServerKey,
        receive: (message) => receive(browser, message),
      };
    },
    /**
     * Subscribes every browser through `POST /v1/merchants/:merchant/subscriptions` with its
     * endpoint on the push service (idempotent: a browser subscribed before is renewed), a few
     * at a time. Resolves with how many the api took.
     */
    async subscribeAll(endpointUrl: (endpointId: string) => string): Promise<number> {
      const queue = [...options.browsers];
      const worker = async () => {
        for (let browser = queue.shift(); browser !== undefined; browser = queue.shift()) {
          if (stopping.signal.aborted) return;
          if (await subscribe(browser, endpointUrl(browser.endpointId))) {
            subscribed++;
            metrics.browsers.set(subscribed);
          }
        }
      };
      await Promise.all(Array.from({ length: options.subscribeConcurrency }, worker));
      return subscribed;
    },
    subscribed: () => subscribed,
    tally: (): AudienceTally => ({ ...tally }),
    /** Drops the reactions not yet due and stops retries, then waits for requests in flight. */
    async stop(): Promise<{ dropped: number }> {
      stopping.abort();
      const dropped = timers.size;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      metrics.pendingReactions.set(0);
      await Promise.allSettled([...inFlight]);
      return { dropped };
    },
  };
}

export type Audience = ReturnType<typeof createAudience>;
