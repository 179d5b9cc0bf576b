import type { Logger } from 'pino';
import webpush from 'web-push';
import type { DispatcherMetrics, SendOutcome } from '../metrics.ts';
import type { Subscriber } from '../notification/campaign.ts';
import type { EndpointPolicy } from './endpoint-policy.ts';
import { EndpointRefusedError } from './endpoint-refused-error.ts';
import type { HostBackoff } from './host-backoff.ts';
import type { PushClient, PushResponse } from './push-client.ts';
import type { PushServiceBreaker, PushServiceIncident } from './push-service-breaker.ts';
import { retryAfterMs, retryDelayMs } from './retry-delay.ts';
import type { VapidHeaderCache } from './vapid-header-cache.ts';
import { WNS_ERROR_DESCRIPTION, WNS_THROTTLED, wnsHeaders } from './wns.ts';

export interface PushMessage {
  subscriber: Subscriber;
  plaintext: Buffer;
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** Lets the push service replace an undelivered copy of the same notification (≤ 32 url-safe chars). */
  topic: string;
}

export interface SendResult {
  /**
   * The notification's fate; `deferred`: the host answered 404/410 during an incident (its
   * breaker tripped), so nothing is known about this subscription: send it again later.
   * `expired` is not counted in the metrics here: the batch decides whether it stands.
   */
  outcome: SendOutcome | 'deferred';
  /** The last HTTP status, when the push service answered. */
  status?: number;
  /** Host of the push service (empty when the endpoint was refused before parsing). */
  pushService: string;
  attempts: number;
  /** When the push service accepted it, epoch ms. */
  sentAt?: number;
  /** When the push service answered, epoch ms (for a 404/410: when the expiry was decided). */
  answeredAt?: number;
  /** For a 404/410: what makes it identical to others (body text, WNS's description). */
  goneReason?: string;
  /** Why it was not sent, in a line (logged, and in the dispatch event once redacted). */
  detail?: string;
}

export interface WebPushSenderOptions {
  policy: EndpointPolicy;
  client: PushClient;
  vapid: VapidHeaderCache;
  backoff: HostBackoff;
  breaker: PushServiceBreaker;
  /** Whether a host speaks WNS's dialect (X-WNS-Cache-Policy, 406 when throttled). */
  isWnsHost: (host: string) => boolean;
  metrics: DispatcherMetrics;
  logger: Logger;
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
}

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What makes two 404/410 answers identical: the body's text and WNS's description, trimmed. */
function goneReason(response: PushResponse): string {
  const description = response.headers[WNS_ERROR_DESCRIPTION] ?? '';
  return `${response.body.replace(/\s+/g, ' ').trim().slice(0, 200)} ${description}`.trim();
}

/** A push service's answer in a line: the status and the start of its body. */
function answerDetail(response: PushResponse): string {
  const body = response.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  return `push service answered ${response.status}${body === '' ? '' : `: ${body}`}`;
}

/** Response headers worth logging: the push service's own (x-wns-*, …) and the usual few. */
function headersForLog(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-') || ['content-type', 'retry-after', 'date', 'server'].includes(name)) {
      kept[name] = value.slice(0, 300);
    }
  }
  return kept;
}

/**
 * Sends one notification with the Web Push protocol (RFC 8030, 8291 aes128gcm, 8292 VAPID: the
 * header and the aes128gcm encryption from web-push, the header cached per origin) and
 * turns the push service's answer into an outcome:
 *   2xx → sent; 404/410 → expired (the subscription is gone), unless the host's breaker tripped
 *   (an incident: the same answer for the whole host) → deferred, the subscriber kept;
 *   413 → too_large, not retried; 400/401/403 → config_error (our keys or request are wrong;
 *   the subscriber is kept); 429/503 (and WNS's 406) → the host is paused for Retry-After, then
 *   retried; other 5xx and network errors → retried with exponential backoff; after
 *   maxAttempts → failed. WNS hosts get an X-WNS-Cache-Policy consistent with the TTL.
 */
export function createWebPushSender(options: WebPushSenderOptions) {
  const { metrics, logger } = options;

  function finish(result: SendResult): SendResult {
    if (result.outcome === 'deferred') {
      metrics.retries.inc({ push_service: result.pushService, reason: 'incident' });
    } else if (result.outcome !== 'expired') {
      metrics.notifications.inc({ outcome: result.outcome, push_service: result.pushService });
    }
    return result;
  }

  /** The last 404/410 of each host, whose body and headers an incident's log shows. */
  const lastGone = new Map<string, PushResponse>();

  /** An incident: counted, the host paused, and logged with the push service's own words. */
  function reportIncident(incident: PushServiceIncident): void {
    const { host, status } = incident;
    const response = lastGone.get(host);
    metrics.incidents.inc({ push_service: host, status: String(status) });
    options.backoff.pause(host, Math.max(0, incident.pausedUntil - Date.now()));
    logger.error(
      {
        pushService: host,
        status,
        body: response?.body.slice(0, 500) ?? incident.reason,
        headers: response === undefined ? {} : headersForLog(response.headers),
        identicalAnswers: incident.answers,
        share: Number(incident.share.toFixed(3)),
        pausedUntil: new Date(incident.pausedUntil).toISOString(),
      },
      `push service incident: ${host} answers ${status} to nearly every request; its subscribers are kept, the host is paused and its notifications will be sent again`,
    );
  }

  async function send(message: PushMessage): Promise<SendResult> {
    const { subscriber } = message;
    let endpoint: ReturnType<EndpointPolicy>;
    try {
      endpoint = options.policy(subscriber.endpoint);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      logger.warn({ subscriberId: subscriber.id, detail }, 'endpoint refused');
      return finish({ outcome: 'refused', pushService: '', attempts: 0, detail });
    }
    const { host, origin } = endpoint;
    const wns = options.isWnsHost(host);
    const path = `${endpoint.url.pathname}${endpoint.url.search}`;

    let body: Buffer;
    try {
      body = webpush.encrypt(subscriber.p256dh, subscriber.auth, message.plaintext, 'aes128gcm').cipherText;
    } catch (error) {
      // A malformed p256dh or auth: the browser never gave us a usable subscription.
      const detail = `cannot encrypt for subscriber ${subscriber.id}: ${error instanceof Error ? error.message : error}`;
      logger.warn({ subscriberId: subscriber.id, detail }, 'bad subscription keys');
      return finish({ outcome: 'failed', pushService: host, attempts: 0, detail });
    }

    let lastStatus: number | undefined;
    let lastDetail = '';
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      await options.backoff.wait(host);
      const headers: Record<string, string> = {
        authorization: options.vapid.headerFor(origin),
        'content-encoding': 'aes128gcm',
        'content-type': 'application/octet-stream',
        ttl: String(message.ttlSeconds),
        urgency: message.urgency,
        topic: message.topic,
        ...(wns ? wnsHeaders(message.ttlSeconds) : {}),
      };
      const started = performance.now();
      const startedAt = Date.now();
      let response: PushResponse;
      try {
        response = await options.client.post(origin, path, headers, body);
      } catch (error) {
        if (
          error instanceof EndpointRefusedError ||
          (error as { code?: string }).code === 'ENDPOINT_REFUSED'
        ) {
          const detail = (error as Error).message;
          logger.warn({ subscriberId: subscriber.id, detail }, 'endpoint refused at connect');
          return finish({ outcome: 'refused', pushService: host, attempts: attempt, detail });
        }
        metrics.attempts.inc({ push_service: host, status: 'network' });
        lastDetail =
          `${(error as { code?: string }).code ?? ''} ${error instanceof Error ? error.message : error}`.trim();
        if (attempt < options.maxAttempts) {
          metrics.retries.inc({ push_service: host, reason: 'network' });
          await sleep(retryDelayMs(attempt, options.retryBaseDelayMs, options.retryMaxDelayMs));
        }
        continue;
      }
      const { status, retryAfter } = response;
      metrics.latency.observe({ push_service: host }, (performance.now() - started) / 1000);
      metrics.attempts.inc({ push_service: host, status: statusClass(status) });
      lastStatus = status;
      const answeredAt = Date.now();

      if (status === 404 || status === 410) {
        const reason = goneReason(response);
        const incident = options.breaker.record(host, { status, reason });
        lastGone.set(host, response);
        if (incident !== undefined) reportIncident(incident);
        if (options.breaker.isPaused(host) || options.breaker.trippedSince(host, startedAt)) {
          return finish({ outcome: 'deferred', status, pushService: host, attempts: attempt, answeredAt });
        }
        return finish({
          outcome: 'expired',
          status,
          pushService: host,
          attempts: attempt,
          answeredAt,
          goneReason: reason,
        });
      }
      options.breaker.record(host);
      if (status >= 200 && status < 300) {
        return finish({ outcome: 'sent', status, pushService: host, attempts: attempt, sentAt: answeredAt });
      }
      if (status === 413) {
        return finish({
          outcome: 'too_large',
          status,
          pushService: host,
          attempts: attempt,
          detail: answerDetail(response),
        });
      }
      if (status === 400 || status === 401 || status === 403) {
        metrics.configProblems.inc({ push_service: host, status: String(status) });
        logger.error(
          {
            subscriberId: subscriber.id,
            pushService: host,
            status,
            body: response.body.slice(0, 500),
            headers: headersForLog(response.headers),
          },
          'push service refused our request: check the VAPID keys and subject',
        );
        return finish({
          outcome: 'config_error',
          status,
          pushService: host,
          attempts: attempt,
          detail: answerDetail(response),
        });
      }
      if (status === 429 || status === 503 || (wns && status === WNS_THROTTLED)) {
        const delay =
          retryAfterMs(retryAfter, options.retryMaxDelayMs) ??
          retryDelayMs(attempt, options.retryBaseDelayMs, options.retryMaxDelayMs);
        options.backoff.pause(host, delay);
        lastDetail = `throttled, retry after ${delay} ms`;
        if (attempt < options.maxAttempts) metrics.retries.inc({ push_service: host, reason: 'throttled' });
        continue;
      }
      if (status >= 500) {
        lastDetail = `push service answered ${status}`;
        if (attempt < options.maxAttempts) {
          metrics.retries.inc({ push_service: host, reason: 'server_error' });
          await sleep(retryDelayMs(attempt, options.retryBaseDelayMs, options.retryMaxDelayMs));
        }
        continue;
      }
      // Any other answer (a 3xx, 408, 422, …) will not change on retry.
      return finish({
        outcome: 'failed',
        status,
        pushService: host,
        attempts: attempt,
        detail: `unexpected ${answerDetail(response)}`,
      });
    }
    return finish({
      outcome: 'failed',
      ...(lastStatus === undefined ? {} : { status: lastStatus }),
      pushService: host,
      attempts: options.maxAttempts,
      detail: `gave up after ${options.maxAttempts} attempts: ${lastDetail}`,
    });
  }

  /** Reports an incident found outside one send (a batch's own answers), like one found in it. */
  send.reportIncident = reportIncident;
  return send;
}

export type WebPushSender = ReturnType<typeof createWebPushSender>;
