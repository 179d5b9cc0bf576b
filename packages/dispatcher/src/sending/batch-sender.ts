import { type AvroSerde, type CampaignSendBatch, campaignKey, type Dispatch } from '@hoot/events';
import type { Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { DispatcherMetrics } from '../metrics.ts';
import type { Campaign, Subscriber } from '../notification/campaign.ts';
import { notificationIdFor } from '../notification/notification-id.ts';
import type { PayloadBuilder } from '../notification/payload-builder.ts';
import { PayloadTooLargeError } from '../notification/payload-too-large-error.ts';
import type { PushServiceBreaker } from '../push/push-service-breaker.ts';
import type { SendResult, WebPushSender } from '../push/web-push-sender.ts';
import type { BatchCounts, DispatchStore } from '../store/dispatch-store.ts';
import { dispatchEvent, type FailureKind, type NotificationFate } from './dispatch-event.ts';
import { forEachConcurrently } from './for-each-concurrently.ts';

export interface BatchSenderOptions {
  store: DispatchStore;
  buildPayload: PayloadBuilder;
  send: WebPushSender;
  producer: Producer;
  dispatchSerde: AvroSerde<Dispatch>;
  dispatchTopic: string;
  sendsInFlight: number;
  /** Tells which 404/410 answers came just before an incident tripped (those expire nobody). */
  breaker: PushServiceBreaker;
  /** How long a batch keeps sending notifications deferred by an incident again, in ms. */
  maxDeferMs: number;
  metrics: DispatcherMetrics;
  logger: Logger;
  /** True once the dispatcher is stopping: production that failed is not retried any more. */
  stopping?: () => boolean;
}

/** Dispatch events are produced in chunks of this many while the batch is still sending. */
const DISPATCH_CHUNK = 250;
/** Pause before producing a chunk of dispatch events again after Kafka refused it, in ms (doubling). */
const PRODUCE_RETRY_MS = 500;
const PRODUCE_RETRY_MAX_MS = 10_000;

export type BatchResult = 'done' | 'skipped_done' | 'skipped_canceled';

/** A push service's answer for one notification whose fate the batch has not decided yet. */
interface Answer {
  subscriber: Subscriber;
  notificationId: string;
  result: SendResult;
}

/** The first word of an event's `error` for an outcome the send decided by itself. */
const failureKinds: Record<string, FailureKind> = {
  too_large: 'too_large',
  config_error: 'config_error',
  refused: 'refused',
};

/**
 * Sends one batch of a campaign:
 * 1. Claim it in Postgres; a batch already done (a redelivery after a crash) or whose campaign
 *    was canceled is skipped without sending anything.
 * 2. Read its sendable subscribers and send to each, a bounded number at once.
 * 3. Produce one dispatch event (keyed by campaign) per notification, with its final outcome:
 *    sent, failed and refused ones as they are answered; expired ones, and failed ones whose fate
 *    only the end of the batch decides, once it does. Notifications deferred by a push-service
 *    incident (its breaker tripped), and those whose 404/410 came from a host that tripped after
 *    answering them, are sent again once the host's pause is over, until they get a real answer
 *    or `maxDeferMs` passed (then counted `incident` and failed, the subscriber kept); only
 *    their final outcome is an event.
 * 4. Once every event is acknowledged by Kafka (a chunk Kafka could not take, the broker being
 *    restarted or away, is produced again until it is, without sending its notifications
 *    again), mark the batch done and its expired subscribers expired in one transaction; the
 *    campaign becomes sent with its last batch. Expiries are held until then so that an
 *    incident tripping mid-batch can still take them back; those answered within a window
 *    after an incident's pause ended expire nobody either.
 * A crash before step 4 leaves the batch pending: it is sent again, with the same notification
 * ids and Topic headers, so the processor counts each once and push services collapse copies.
 */
export function createBatchSender(options: BatchSenderOptions) {
  const { store, metrics } = options;

  return async function sendBatch(
    batch: CampaignSendBatch,
    heartbeat: () => Promise<void>,
  ): Promise<BatchResult> {
    const log = options.logger.child({ campaignId: batch.campaign_id, batch: batch.batch_index });
    // Step 1
    const claimed = await store.startBatch(batch.campaign_id, batch.batch_index);
    if (claimed === 'done') {
      metrics.batches.inc({ result: 'skipped_done' });
      log.info('batch already completed, skipped');
      return 'skipped_done';
    }
    if (claimed === 'canceled') {
      metrics.batches.inc({ result: 'skipped_canceled' });
      log.info('campaign canceled, batch skipped');
      return 'skipped_canceled';
    }
    const campaign: Campaign = claimed;
    metrics.batchesInFlight.inc();
    const beat = setInterval(() => {
      heartbeat().catch((error: unknown) => log.debug({ err: error }, 'heartbeat failed'));
    }, 3000);
    try {
      // Step 2
      const subscribers = await store.sendableSubscribers(
        batch.merchant,
        batch.first_subscriber_id,
        batch.last_subscriber_id,
      );
      const counts: BatchCounts = { sent: 0, expired: 0, failed: 0 };
      /** 404/410 answers not yet applied: an incident tripping before completion cancels them. */
      let held: Array<Answer & { host: string; answeredAt: number; key: string }> = [];
      /** Answers per host in this batch: the denominator of its own incident check. */
      const answersFrom = new Map<string, number>();
      let deferred: Answer[] = [];
      /** Requests made per subscriber in this send, its deferred sends included. */
      const attemptsOf = new Map<number, number>();
      const ref = { merchant: campaign.merchant, source: 'campaign', source_id: campaign.id };
      const key = campaignKey(ref);
      let pending: Message[] = [];
      const produced: Array<{ messages: Message[]; acknowledged: Promise<unknown> }> = [];
      const produce = (messages: Message[]) => {
        const acknowledged = options.producer.send({ topic: options.dispatchTopic, acks: -1, messages });
        acknowledged.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
        return acknowledged;
      };
      const flush = () => {
        if (pending.length === 0) return;
        produced.push({ messages: pending, acknowledged: produce(pending) });
        pending = [];
      };
      /** Waits for Kafka to acknowledge every chunk, producing those it failed again. */
      const acknowledgeAll = async () => {
        for (const chunk of produced) {
          for (let attempt = 1; ; attempt++) {
            try {
              await chunk.acknowledged;
              break;
            } catch (error) {
              if (options.stopping?.()) throw error;
              const delay = Math.min(PRODUCE_RETRY_MAX_MS, PRODUCE_RETRY_MS * 2 ** (attempt - 1));
              log.warn(
                { err: error, events: chunk.messages.length, attempt, delay },
                'dispatch events not acknowledged by Kafka; producing them again',
              );
              await new Promise((resolve) => setTimeout(resolve, delay));
              chunk.acknowledged = produce(chunk.messages);
            }
          }
        }
      };
      // Step 3
      /** Queues the dispatch event of a notification whose fate is final. */
      const emit = async (subscriber: Subscriber, fate: NotificationFate) => {
        const value = await options.dispatchSerde.encode(dispatchEvent(campaign, subscriber, fate));
        pending.push({ key, value });
        if (pending.length >= DISPATCH_CHUNK) flush();
      };
      /** The fate of an answer the end of the batch decides (an expiry, an incident's casualty). */
      const decided = (
        answer: Answer,
        outcome: 'expired' | 'failed',
        kind: FailureKind,
        detail: string,
      ): NotificationFate => ({
        outcome,
        notificationId: answer.notificationId,
        status: answer.result.status,
        pushService: answer.result.pushService,
        attempts: attemptsOf.get(answer.subscriber.id) ?? answer.result.attempts,
        decidedAt: Date.now(),
        failure: { kind, detail },
      });
      let tooLargeLogged = false;

      const sendOne = async (subscriber: Subscriber) => {
        let built: ReturnType<PayloadBuilder>;
        try {
          built = options.buildPayload(campaign, subscriber.id);
        } catch (error) {
          if (!(error instanceof PayloadTooLargeError)) throw error;
          counts.failed++;
          metrics.notifications.inc({ outcome: 'too_large', push_service: '' });
          if (!tooLargeLogged) log.error({ err: error }, error.message);
          tooLargeLogged = true;
          await emit(subscriber, {
            outcome: 'failed',
            notificationId: notificationIdFor(ref, subscriber.id),
            pushService: '',
            attempts: 0,
            decidedAt: Date.now(),
            failure: { kind: 'too_large', detail: error.message },
          });
          return;
        }
        const result = await options.send({
          subscriber,
          plaintext: built.plaintext,
          ttlSeconds: campaign.ttlSeconds,
          urgency: campaign.urgency,
          topic: built.notificationId,
        });
        if (result.status !== undefined) {
          answersFrom.set(result.pushService, (answersFrom.get(result.pushService) ?? 0) + 1);
        }
        const attempts = (attemptsOf.get(subscriber.id) ?? 0) + result.attempts;
        attemptsOf.set(subscriber.id, attempts);
        const answer: Answer = { subscriber, notificationId: built.notificationId, result };
        if (result.outcome === 'sent') {
          counts.sent++;
          const sentAt = result.sentAt ?? Date.now();
          await emit(subscriber, {
            outcome: 'sent',
            notificationId: built.notificationId,
            status: result.status,
            pushService: result.pushService,
            attempts,
            sentAt,
            decidedAt: sentAt,
          });
        } else if (result.outcome === 'expired') {
          held.push({
            ...answer,
            host: result.pushService,
            answeredAt: result.answeredAt ?? Date.now(),
            key: `${result.status} ${result.goneReason ?? ''}`,
          });
        } else if (result.outcome === 'deferred') {
          deferred.push(answer);
        } else {
          counts.failed++;
          if (result.outcome !== 'config_error') {
            log.warn(
              {
                subscriberId: subscriber.id,
                outcome: result.outcome,
                status: result.status,
                detail: result.detail,
              },
              'not sent',
            );
          }
          const detail =
            result.detail ??
            (result.status === undefined ? undefined : `push service answered ${result.status}`);
          await emit(subscriber, {
            outcome: result.outcome === 'refused' ? 'refused' : 'failed',
            notificationId: built.notificationId,
            status: result.status,
            pushService: result.pushService,
            attempts,
            decidedAt: Date.now(),
            failure: { kind: failureKinds[result.outcome] ?? 'failed', detail },
          });
        }
      };
      await forEachConcurrently(subscribers, options.sendsInFlight, sendOne);
      // The window of a host can be diluted by other batches' answers; the batch's own answers
      // pass the same rule, so a batch all answered with one 404 takes back its own expiries.
      const judgeBatch = () => {
        const identical = new Map<string, { host: string; key: string; status: number; count: number }>();
        for (const h of held) {
          const group = `${h.host} ${h.key}`;
          const entry = identical.get(group) ?? {
            host: h.host,
            key: h.key,
            status: Number(h.key.split(' ', 1)[0]),
            count: 0,
          };
          entry.count++;
          identical.set(group, entry);
        }
        for (const { host, key, status, count } of identical.values()) {
          const reason = key.slice(String(status).length + 1);
          const incident = options.breaker.judgeBatch(
            host,
            { status, reason },
            count,
            answersFrom.get(host) ?? 0,
          );
          if (incident !== undefined) options.send.reportIncident(incident);
        }
      };
      let firstDeferredAt: number | undefined;
      for (;;) {
        judgeBatch();
        const suspect = held.filter((h) => options.breaker.trippedSince(h.host, h.answeredAt));
        if (suspect.length > 0) {
          held = held.filter((h) => !options.breaker.trippedSince(h.host, h.answeredAt));
          deferred.push(...suspect);
          for (const h of suspect) metrics.retries.inc({ push_service: h.host, reason: 'incident' });
        }
        if (deferred.length === 0) break;
        firstDeferredAt ??= Date.now();
        const again = deferred;
        deferred = [];
        const waitedMs = Date.now() - firstDeferredAt;
        if (waitedMs > options.maxDeferMs) {
          counts.failed += again.length;
          metrics.notifications.inc({ outcome: 'incident', push_service: '' }, again.length);
          log.error(
            { notifications: again.length, waitedMs },
            'push-service incident outlasted the batch: these notifications are not sent, their subscribers are kept',
          );
          for (const a of again) {
            const detail = `${a.result.pushService} answered ${a.result.status} during a push-service incident that outlasted the batch (${waitedMs} ms); subscriber kept`;
            await emit(a.subscriber, decided(a, 'failed', 'incident', detail));
          }
          break;
        }
        log.warn(
          { notifications: again.length },
          'notifications held back by a push-service incident: sending them again once the host resumes',
        );
        await forEachConcurrently(
          again.map((a) => a.subscriber),
          options.sendsInFlight,
          sendOne,
        );
      }
      // The tail of an incident: too few wrong answers to trip again, and no way to tell them
      // from real expiries. Keep those subscribers; a real expiry answers so again next time.
      const tail = held.filter((h) => options.breaker.onProbation(h.host, h.answeredAt));
      if (tail.length > 0) {
        held = held.filter((h) => !options.breaker.onProbation(h.host, h.answeredAt));
        counts.failed += tail.length;
        for (const h of tail) metrics.notifications.inc({ outcome: 'incident', push_service: h.host });
        log.warn(
          { notifications: tail.length },
          '404/410 answers right after a push-service incident: subscribers kept, not expired',
        );
        for (const h of tail) {
          const detail = `${h.host} answered ${h.key.trim()} right after a push-service incident; subscriber kept, not expired`;
          await emit(h.subscriber, decided(h, 'failed', 'incident', detail));
        }
      }
      const expired = held.map((h) => h.subscriber);
      counts.expired = expired.length;
      for (const h of held) {
        metrics.notifications.inc({ outcome: 'expired', push_service: h.host });
        await emit(h.subscriber, decided(h, 'expired', 'gone', h.key.trim()));
      }
      flush();
      await acknowledgeAll();
      // Step 4
      const { campaignSent } = await store.completeBatch(campaign.id, batch.batch_index, counts, expired);
      metrics.batches.inc({ result: 'done' });
      log.info({ ...counts, subscribers: subscribers.length, campaignSent }, 'batch done');
      return 'done';
    } finally {
      clearInterval(beat);
      metrics.batchesInFlight.dec();
    }
  };
}
