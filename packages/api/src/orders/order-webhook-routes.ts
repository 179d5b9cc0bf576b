import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { errorResponses } from '../http/error-schemas.ts';
import { RequestError } from '../http/request-error.ts';
import { publicRateLimit, type RouteContext } from '../route-context.ts';
import { MerchantParams } from '../subscriptions/subscription-schemas.ts';
import { OrderBody, OrderResult } from './order-schemas.ts';
import { SIGNATURE_HEADER, webhookSignatureValid } from './webhook-signature.ts';

/**
 * POST /v1/webhooks/orders/:merchant. The body stays raw bytes until the signature over exactly
 * those bytes is checked; only then is it parsed as JSON and validated. An order id already
 * received is answered 200 without writing; a new one is produced (acks=all) and only then
 * remembered, so a crash in between at worst writes it twice, which the processor absorbs
 * (it counts an order id once).
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
            ctx.metrics.orders.inc({ result: 'bad_signature' });
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
          response: { 200: OrderResult, 202: OrderResult, ...errorResponses(400, 401, 413, 415, 429, 503) },
        },
      },
      async (request, reply) => {
        const merchant = request.params.merchant;
        const order = request.body;
        const seen = await ctx.pool.query(
          'SELECT 1 FROM received_orders WHERE merchant_id = $1 AND order_id = $2',
          [merchant, order.order_id],
        );
        if (seen.rowCount !== 0) {
          ctx.metrics.orders.inc({ result: 'duplicate' });
          return reply.code(200).send({ order_id: order.order_id, status: 'duplicate' });
        }
        const value = await ctx.serdes.order.encode({
          merchant,
          order_id: order.order_id,
          subscriber_id: order.subscriber_id ?? null,
          total_minor: order.total_minor,
          currency: order.currency,
          created_at: Date.parse(order.created_at),
        });
        await ctx.events.send([{ topic: ctx.config.ORDERS_TOPIC, key: merchant, value }]);
        await ctx.pool.query(
          'INSERT INTO received_orders (merchant_id, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [merchant, order.order_id],
        );
        ctx.metrics.orders.inc({ result: 'accepted' });
        return reply.code(202).send({ order_id: order.order_id, status: 'accepted' });
      },
    );
  };
}
