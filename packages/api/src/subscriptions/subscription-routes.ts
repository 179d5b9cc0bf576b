import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listOf } from '../config.ts';
import { errorResponses } from '../http/error-schemas.ts';
import { RequestError } from '../http/request-error.ts';
import { publicRateLimit, type RouteContext } from '../route-context.ts';
import {
  type CheckedSubscription,
  checkSubscription,
  type PushSubscriptionJson,
} from './push-subscription-check.ts';
import { signSubscriberProof, verifySubscriberProof } from './subscriber-proof.ts';
import { relinkSubscriber, unsubscribe, upsertSubscriber } from './subscriber-store.ts';
import { normaliseEndpoint } from './subscription-identity.ts';
import {
  MerchantParams,
  PushSubscriptionBody,
  RenewBody,
  SubscriberResponse,
  UnsubscribeBody,
} from './subscription-schemas.ts';

const merchantNotFound = (merchant: string) =>
  new RequestError(404, 'merchant_not_found', `merchant ${merchant} does not exist`, 'params.merchant');

/**
 * Public subscribe, renew and unsubscribe of a browser's PushSubscription, called from merchants'
 * sites and their service workers. A subscriber is its endpoint after normalisation (DESIGN,
 * Subscribers), so every form of one endpoint lands on one row.
 */
export function subscriptionRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const allowlist = listOf(ctx.config.PUSH_SERVICE_HOSTS);
    const secrets = listOf(ctx.config.PING_TOKEN_SECRETS);
    const proofOf = (merchant: string, id: number) => signSubscriberProof(secrets[0]!, merchant, id);

    function checked(subscription: PushSubscriptionJson, prefix: string): CheckedSubscription {
      const result = checkSubscription(subscription, allowlist, prefix);
      if ('field' in result)
        throw new RequestError(400, 'invalid_subscription', result.message, result.field);
      return result;
    }

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
        const subscription = checked(request.body, 'body');
        const userAgent = request.headers['user-agent']?.slice(0, 512) ?? null;
        const saved = await upsertSubscriber(ctx.pool, { ...subscription, merchantId: merchant, userAgent });
        if (saved === undefined) throw merchantNotFound(merchant);
        const status = saved.created ? 'created' : 'renewed';
        ctx.metrics.subscriptions.inc({ action: status });
        return reply
          .code(saved.created ? 201 : 200)
          .send({ subscriber_id: saved.id, merchant, status, proof: proofOf(merchant, saved.id) });
      },
    );

    app.post(
      '/v1/merchants/:merchant/subscriptions/renew',
      {
        config: publicRateLimit(ctx.config),
        schema: {
          tags: ['subscriptions'],
          summary: 'Link a renewed subscription to the subscriber it replaces',
          description:
            'Called by the service worker on `pushsubscriptionchange` with the subscriber id and proof it kept. The subscriber takes the new endpoint (its old endpoint is no longer its own); a subscriber the new endpoint had already created is merged into it. 403 for a wrong proof: subscribe the new subscription afresh instead.',
          params: MerchantParams,
          body: RenewBody,
          response: { 200: SubscriberResponse, ...errorResponses(400, 403, 404, 413, 415, 429) },
        },
      },
      async (request) => {
        const { merchant } = request.params;
        const { subscriber_id: subscriberId, proof } = request.body;
        if (!verifySubscriberProof(proof, secrets, merchant, subscriberId)) {
          throw new RequestError(
            403,
            'proof_invalid',
            'body.proof was not issued for this subscriber',
            'body.proof',
          );
        }
        const subscription = checked(request.body.subscription, 'body.subscription');
        const userAgent = request.headers['user-agent']?.slice(0, 512) ?? null;
        const outcome = await relinkSubscriber(ctx.pool, subscriberId, {
          ...subscription,
          merchantId: merchant,
          userAgent,
        });
        if (outcome.kind === 'not_found') {
          throw new RequestError(
            404,
            'subscriber_not_found',
            `subscriber ${subscriberId} does not exist for merchant ${merchant}`,
            'body.subscriber_id',
          );
        }
        ctx.metrics.subscriptions.inc({ action: outcome.kind === 'merged' ? 'merged' : 'relinked' });
        return {
          subscriber_id: outcome.id,
          merchant,
          status: 'relinked' as const,
          proof: proofOf(merchant, outcome.id),
        };
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
        const normalised = normaliseEndpoint(request.body.endpoint);
        if (!('endpoint' in normalised)) {
          throw new RequestError(400, 'invalid_subscription', normalised.message, normalised.field);
        }
        const id = await unsubscribe(ctx.pool, merchant, normalised.endpoint);
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
