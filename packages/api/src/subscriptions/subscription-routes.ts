import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listOf } from '../config.ts';
import { errorResponses } from '../http/error-schemas.ts';
import { RequestError } from '../http/request-error.ts';
import { publicRateLimit, type RouteContext } from '../route-context.ts';
import { checkEndpoint, checkKeys } from './push-subscription-check.ts';
import { unsubscribe, upsertSubscriber } from './subscriber-store.ts';
import {
  MerchantParams,
  PushSubscriptionBody,
  SubscriberResponse,
  UnsubscribeBody,
} from './subscription-schemas.ts';

/** Public subscribe and unsubscribe of a browser's PushSubscription, called from merchants' sites. */
export function subscriptionRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const allowlist = listOf(ctx.config.PUSH_SERVICE_HOSTS);

    app.post(
      '/v1/merchants/:merchant/subscriptions',
      {
        config: publicRateLimit(ctx.config),
        schema: {
          tags: ['subscriptions'],
          summary: 'Subscribe a browser (idempotent)',
          params: MerchantParams,
          body: PushSubscriptionBody,
          response: {
            200: SubscriberResponse,
            201: SubscriberResponse,
            ...errorResponses(400, 404, 413, 415, 429),
          },
        },
      },
      async (request, reply) => {
        const { merchant } = request.params;
        const problem = checkEndpoint(request.body.endpoint, allowlist) ?? checkKeys(request.body.keys);
        if (problem !== undefined) {
          throw new RequestError(400, 'invalid_subscription', problem.message, problem.field);
        }
        const userAgent = request.headers['user-agent']?.slice(0, 512) ?? null;
        const saved = await upsertSubscriber(ctx.pool, {
          merchantId: merchant,
          endpoint: request.body.endpoint,
          p256dh: request.body.keys.p256dh,
          auth: request.body.keys.auth,
          userAgent,
        });
        if (saved === undefined) {
          throw new RequestError(
            404,
            'merchant_not_found',
            `merchant ${merchant} does not exist`,
            'params.merchant',
          );
        }
        const status = saved.created ? 'created' : 'renewed';
        ctx.metrics.subscriptions.inc({ action: status });
        return reply.code(saved.created ? 201 : 200).send({ subscriber_id: saved.id, merchant, status });
      },
    );

    app.post(
      '/v1/merchants/:merchant/subscriptions/unsubscribe',
      {
        config: publicRateLimit(ctx.config),
        schema: {
          tags: ['subscriptions'],
          summary: 'Unsubscribe a browser (idempotent)',
          params: MerchantParams,
          body: UnsubscribeBody,
          response: { 200: SubscriberResponse, ...errorResponses(400, 404, 413, 415, 429) },
        },
      },
      async (request) => {
        const { merchant } = request.params;
        const id = await unsubscribe(ctx.pool, merchant, request.body.endpoint);
        if (id === undefined) {
          throw new RequestError(
            404,
            'subscription_not_found',
            'no such subscription for this merchant',
            'body.endpoint',
          );
        }
        ctx.metrics.subscriptions.inc({ action: 'unsubscribed' });
        return { subscriber_id: id, merchant, status: 'unsubscribed' as const };
      },
    );
  };
}
