import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { errorResponses } from '../http/error-schemas.ts';
import { RequestError } from '../http/request-error.ts';
import { publicRateLimit, type RouteContext } from '../route-context.ts';
import { MerchantParams } from '../subscriptions/subscription-schemas.ts';
import { minorUnitDigits } from './money.ts';
import { orderInProgress, takeOrder } from './order-intake.ts';
import { OrderBody, OrderResult } from './order-schemas.ts';
import { SIGNATURE_HEADER, webhookSignatureValid } from './webhook-signature.ts';

/**
 * POST /v1/webhooks/orders/:merchant. The body stays raw bytes until the signature over exactly
 * those bytes is checked; only then is it parsed as JSON and validated. The currency must be a
 * current ISO 4217 code (400 `body.currency` otherwise). The order is claimed before it is
 * written (see takeOrder): one of any number of deliveries of an order id answers 202 accepted;
 * the others 200 duplicate once it is written, 409 in_progress (retry) while it is being written;
 * a 503 when Kafka does not answer in time leaves nothing claimed.
 */
export function orderWebhookRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
    const parseJson = (text: string) => JSON.parse(text) as unknown;

    app.post(
      '/v1/webhooks/orders/:merchant',
      {
        config: publicRateLimit(ctx.config),
        preValidation: async (request: FastifyRequest<{ Params: { merchant: string } }>) => {
          const raw = request.body;
          if (!Buffer.isBuffer(raw)) {
            throw new RequestError(400, 'missing_body', 'a JSON body is required', 'body');
          }
          const { rows } = await ctx.pool.query<{ webhook_secret: string }>(
            'SELECT webhook_secret FROM merchants WHERE id = $1',
            [request.params.merchant],
          );
          const secret = rows[0]?.webhook_secret;
          const header = request.headers[SIGNATURE_HEADER];
          if (
            secret === undefined ||
            !webhookSignatureValid(raw, secret, typeof header === 'string' ? header : undefined)
          ) {
            ctx.metrics.orders.inc({ source: 'hoot', result: 'bad_signature' });
            throw new RequestError(
              401,
              'bad_signature',
              `${SIGNATURE_HEADER} must be the base64 HMAC-SHA256 of the body with the merchant's webhook secret`,
              `headers.${SIGNATURE_HEADER}`,
            );
          }
          try {
            request.body = parseJson(raw.toString('utf8'));
          } catch {
            throw new RequestError(400, 'invalid_json', 'body is not valid JSON', 'body');
          }
        },
        schema: {
          tags: ['orders'],
          summary: "A store's order, signed with the merchant's webhook secret",
          params: MerchantParams,
          headers: {
            type: 'object',
            properties: {
              [SIGNATURE_HEADER]: { type: 'string', description: 'base64 HMAC-SHA256 of the raw body' },
            },
          },
          body: OrderBody,
          response: {
            200: OrderResult,
            202: OrderResult,
            ...errorResponses(400, 401, 409, 413, 415, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const merchant = request.params.merchant;
        const order = request.body;
        if (minorUnitDigits(order.currency) === undefined) {
          throw new RequestError(
            400,
            'unknown_currency',
            `currency ${order.currency} is not a current ISO 4217 currency code`,
            'body.currency',
          );
        }
        const result = await takeOrder(ctx, {
          merchant,
          orderId: order.order_id,
          customerId: null,
          subscriberId: order.subscriber_id ?? null,
          totalMinor: order.total_minor,
          currency: order.currency,
          createdAt: Date.parse(order.created_at),
          source: 'hoot',
        });
        ctx.metrics.orders.inc({ source: 'hoot', result });
        if (result === 'in_progress') throw orderInProgress(order.order_id);
        if (result === 'accepted' && order.subscriber_id == null) {
          ctx.metrics.ordersUnattributed.inc({ source: 'hoot', reason: 'none' });
        }
        return reply
          .code(result === 'accepted' ? 202 : 200)
          .send({ order_id: order.order_id, status: result });
      },
    );
  };
}
