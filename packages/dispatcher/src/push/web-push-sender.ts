import type { Logger } from 'pino';
import webpush from 'web-push';
import type { DispatcherMetrics, SendOutcome } from '../metrics.ts';
import type { Subscriber } from '../notification/campaign.ts';
import type { EndpointPolicy } from './endpoint-policy.ts';
import { EndpointRefusedError } from './endpoint-refused-error.ts';
import type { HostBackoff } from './host-backoff.ts';
import type { PushClient } from './push-client.ts';
import { retryAfterMs, retryDelayMs } from './retry-delay.ts';
import type { VapidHeaderCache } from './vapid-header-cache.ts';

export interface PushMessage {
  subscriber: Subscriber;
  plaintext: Buffer;
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** Lets the push service replace an undelivered copy of the same notification (≤ 32 url-safe chars). */
  topic: string;
}

export interface SendResult {
  outcome: SendOutcome;
  /** The last HTTP status, when the push service answered. */
  status?: number;
  /** Host of the push service (empty when the endpoint was refused before parsing). */
  pushService: string;
  attempts: number;
  /** When the push service accepted it, epoch ms. */
  sentAt?: number;
  detail?: string;
}

export interface WebPushSenderOptions {
  policy: EndpointPolicy;
  client: PushClient;
  vapid: VapidHeaderCache;
  backoff: HostBackoff;
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

/**
 * Sends one notification with the Web Push protocol (RFC 8030, 8291 aes128gcm, 8292 VAPID: the
 * header and the aes128gcm encryption from web-push, the header cached per origin) and
 * turns the push service's answer into an outcome:
 *   2xx → sent; 404/410 → expired (the subscription is gone); 413 → too_large, not retried;
 *   400/401/403 → config_error (our keys or request are wrong; the subscriber is kept);
 *   429/503 → the host is paused for Retry-After, then retried; other 5xx and network errors →
 *   retried with exponential backoff; after maxAttempts → failed.
 */
export function createWebPushSender(options: WebPushSenderOptions) {
  const { metrics, logger } = options;

  function finish(result: SendResult): SendResult {
    metrics.notifications.inc({ outcome: result.outcome, push_service: result.pushService });
    return result;
  }

  return async function send(message: PushMessage): Promise<SendResult> {
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
      };
      const started = performance.now();
      let status: number;
      let retryAfter: string | undefined;
      try {
        ({ status, retryAfter } = await options.client.post(origin, path, headers, body));
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
      metrics.latency.observe({ push_service: host }, (performance.now() - started) / 1000);
      metrics.attempts.inc({ push_service: host, status: statusClass(status) });
      lastStatus = status;

      if (status >= 200 && status < 300) {
        return finish({ outcome: 'sent', status, pushService: host, attempts: attempt, sentAt: Date.now() });
      }
      if (status === 404 || status === 410) {
        return finish({ outcome: 'expired', status, pushService: host, attempts: attempt });
      }
      if (status === 413) {
        return finish({ outcome: 'too_large', status, pushService: host, attempts: attempt });
      }
      if (status === 400 || status === 401 || status === 403) {
        metrics.configProblems.inc({ push_service: host, status: String(status) });
        logger.error(
          { subscriberId: subscriber.id, pushService: host, status },
          'push service refused our request: check the VAPID keys and subject',
        );
        return finish({ outcome: 'config_error', status, pushService: host, attempts: attempt });
      }
      if (status === 429 || status === 503) {
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
        detail: `unexpected ${status}`,
      });
    }
    return finish({
      outcome: 'failed',
      ...(lastStatus === undefined ? {} : { status: lastStatus }),
      pushService: host,
      attempts: options.maxAttempts,
      detail: `gave up after ${options.maxAttempts} attempts: ${lastDetail}`,
    });
  };
}

export type WebPushSender = ReturnType<typeof createWebPushSender>;
