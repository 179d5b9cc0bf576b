import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { campaignKey, type Ping, verifyPingToken } from '@hoot/events';
import type { FastifyRequest } from 'fastify';
import { listOf, PING_TOKEN_MAX_AGE_SECONDS } from '../config.ts';
import { errorResponses } from '../http/error-schemas.ts';
import { RequestError, ServiceUnavailableError } from '../http/request-error.ts';
import type { OutgoingRecord } from '../kafka/kafka-gateway.ts';
import { createMicroBatcher } from '../kafka/micro-batcher.ts';
import { publicRateLimit, type RouteContext } from '../route-context.ts';
import { chooseEventTime } from './event-time.ts';
import { PingAccepted, pingBody } from './ping-schemas.ts';

const tokenStatus = { malformed: 400, bad_signature: 403, expired: 403 } as const;

/**
 * POST /v1/pings: delivery and click pings from service workers. Each ping's token is checked
 * before anything is written; a request with one bad ping writes none. The answer 202 comes only
 * after Kafka has the records from all in-sync replicas; concurrent requests share produces.
 */
export function pingRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { config, metrics } = ctx;
    const secrets = listOf(config.PING_TOKEN_SECRETS);
    const rejection = new WeakMap<FastifyRequest, string>();
    const batcher = createMicroBatcher<OutgoingRecord>({
      maxBatchItems: 1000,
      flush: (records) => ctx.events.send(records),
      // A ping waits PRODUCE_TIMEOUT_MS in all, not that plus the flushes ahead of it: a hung
      // broker makes every flush last until its own timeout.
      deadline: {
        ms: config.PRODUCE_TIMEOUT_MS,
        error: () =>
          new ServiceUnavailableError(
            `Kafka did not acknowledge the pings within ${config.PRODUCE_TIMEOUT_MS} ms`,
          ),
      },
      onFlush(records, seconds, error) {
        metrics.produceBatchRecords.observe(records);
        metrics.produceDuration.observe({ outcome: error === undefined ? 'ok' : 'failed' }, seconds);
      },
    });
    app.addHook('onClose', () => batcher.drain());

    // Browsers send pings as text/plain: with that type a cross-origin keepalive fetch needs no
    // CORS preflight, which halves the requests and works where preflights are refused.
    app.removeContentTypeParser('text/plain');
    app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

    app.addHook('onResponse', async (request, reply) => {
      if (reply.statusCode < 400 || reply.statusCode >= 500) return;
      const reason =
        rejection.get(request) ??
        (reply.statusCode === 413
          ? 'too_large'
          : reply.statusCode === 429
            ? 'rate_limited'
            : 'invalid_request');
      metrics.pingsRejected.inc({ reason });
    });

    app.post(
      '/v1/pings',
      {
        config: publicRateLimit(config),
        schema: {
          tags: ['pings'],
          summary: 'Record deliveries and clicks of notifications',
          description:
            'Called by the service worker. `application/json` or `text/plain` (JSON text, no CORS preflight). Answers 202 once Kafka has the pings from all in-sync replicas.',
          body: pingBody(config.PING_BATCH_MAX),
          response: { 202: PingAccepted, ...errorResponses(400, 403, 413, 415, 429, 503) },
        },
      },
      async (request, reply) => {
        const receivedAt = Date.now();
        const records: OutgoingRecord[] = [];
        const types: Array<'delivery' | 'click'> = [];
        for (const [index, ping] of request.body.pings.entries()) {
          const verdict = verifyPingToken(ping.token, secrets, receivedAt);
          if (!verdict.ok) {
            rejection.set(request, verdict.reason);
            throw new RequestError(
              tokenStatus[verdict.reason],
              `token_${verdict.reason}`,
              `body.pings.${index}.token is ${verdict.reason.replace('_', ' ')}`,
              `body.pings.${index}.token`,
            );
          }
          const { claims } = verdict;
          const notBefore =
            claims.issuedAt !== undefined
              ? claims.issuedAt * 1000
              : (claims.expiresAt - PING_TOKEN_MAX_AGE_SECONDS) * 1000;
          const eventTime = chooseEventTime({
            clientTime: ping.time,
            receivedAt,
            notBefore,
            maxSkewMs: config.PING_CLOCK_SKEW_MS,
          });
          metrics.pingEventTime.inc({ source: eventTime.source });
          const at = new Date(eventTime.epochMs).toISOString();
          const value: Ping = {
            merchant: claims.merchant,
            source: claims.source,
            source_id: claims.sourceId,
            subscriber_id: claims.subscriberId,
            delivered_time: ping.type === 'delivery' ? at : null,
            clicked_time: ping.type === 'click' ? at : null,
            notification_id: claims.notificationId,
            token: ping.token,
            received_at: receivedAt,
            event_time: eventTime.epochMs,
          };
          records.push({
            topic: config.PING_TOPIC,
            key: campaignKey(value),
            value: await ctx.serdes.ping.encode(value),
          });
          types.push(ping.type);
        }
        await batcher.add(records);
        for (const type of types) metrics.pingsAccepted.inc({ type });
        for (const [reason, count] of Object.entries(request.body.dropped ?? {})) {
          if (count !== undefined && count > 0) metrics.browserPingsDropped.inc({ reason }, count);
        }
        return reply.code(202).send({ accepted: records.length });
      },
    );
  };
}
