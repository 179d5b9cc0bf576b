import type { Dispatch, DispatchOutcome } from '@hoot/events';
import type { Campaign, Subscriber } from '../notification/campaign.ts';

/** An event's `error` is cut to this many characters. */
export const MAX_ERROR_CHARS = 300;

/**
 * Why a notification was not sent, as the first word of its event's `error`: `gone` (404/410),
 * `too_large` (413, or a payload too large to send), `config_error` (400/401/403), `failed`
 * (another status, network errors, retries spent, keys that cannot encrypt), `incident` (a
 * push-service incident outlasted the batch, or a 404/410 right after one), `refused` (the
 * endpoint policy or the address guard).
 */
export type FailureKind = 'gone' | 'too_large' | 'config_error' | 'failed' | 'incident' | 'refused';

/** How one notification ended in this send of its batch. */
export interface NotificationFate {
  outcome: DispatchOutcome;
  notificationId: string;
  /** The push service's last HTTP status, when it answered. */
  status?: number | undefined;
  /** Host of the push service; empty when the endpoint was refused before it was parsed. */
  pushService: string;
  /** Requests made for this notification in this send, deferred ones included. */
  attempts: number;
  /** When the push service accepted it, epoch ms (sent only). */
  sentAt?: number | undefined;
  /** When the outcome was decided, epoch ms. */
  decidedAt: number;
  /** Why it was not sent; absent when sent. */
  failure?: { kind: FailureKind; detail?: string | undefined } | undefined;
}

/**
 * The dispatch event of one notification: the payload as sent (title, body, url, icon), the push
 * headers (TTL, Urgency), the push service's host and answer, and why it was not sent. The
 * subscription's endpoint and keys are never in it, not even inside an error text (see auditText).
 */
export function dispatchEvent(campaign: Campaign, subscriber: Subscriber, fate: NotificationFate): Dispatch {
  const failure = fate.failure;
  return {
    title: campaign.title,
    description: campaign.body,
    source: 'campaign',
    source_id: campaign.id,
    merchant: campaign.merchant,
    subscriber_id: subscriber.id,
    notification_id: fate.notificationId,
    sent_at: fate.outcome === 'sent' ? (fate.sentAt ?? fate.decidedAt) : null,
    status_code: fate.status ?? null,
    push_service: fate.pushService === '' ? null : fate.pushService,
    url: campaign.url,
    outcome: fate.outcome,
    error:
      failure === undefined
        ? null
        : auditText(
            failure.detail === undefined ? failure.kind : `${failure.kind}: ${failure.detail}`,
            subscriber,
          ),
    attempts: fate.attempts,
    ttl_seconds: campaign.ttlSeconds,
    urgency: campaign.urgency,
    icon: campaign.icon,
    decided_at: fate.decidedAt,
  };
}

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*/gi;

/**
 * An error text fit for the audit trail: any URL reduced to its origin (an endpoint's path is the
 * subscription's capability), the subscriber's endpoint and keys removed wherever they appear
 * (a malformed endpoint is quoted by the policy's message), white space collapsed, and cut to
 * MAX_ERROR_CHARS characters.
 */
export function auditText(
  text: string,
  subscriber: Pick<Subscriber, 'endpoint' | 'p256dh' | 'auth'>,
): string {
  let clean = text;
  const secrets = [
    subscriber.endpoint,
    JSON.stringify(subscriber.endpoint.slice(0, 200)).slice(1, -1),
    subscriber.endpoint.slice(0, 200),
    subscriber.p256dh,
    subscriber.auth,
  ].filter((secret) => secret.length >= 4);
  for (const secret of secrets) clean = clean.split(secret).join('[redacted]');
  clean = clean.replace(URL_PATTERN, (url) => {
    try {
      const origin = new URL(url).origin;
      return origin === 'null' ? '[url]' : origin;
    } catch {
      return '[url]';
    }
  });
  clean = clean.replace(/\s+/g, ' ').trim();
  return clean.length > MAX_ERROR_CHARS ? `${clean.slice(0, MAX_ERROR_CHARS - 1)}…` : clean;
}
