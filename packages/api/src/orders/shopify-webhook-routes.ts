import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses } from '../http/error-schemas.ts';
import { RequestError } from '../http/request-error.ts';
import { publicRateLimit, type RouteContext } from '../route-context.ts';
import { MerchantParams } from '../subscriptions/subscription-schemas.ts';
import { orderInProgress, takeOrder } from './order-intake.ts';
import { normaliseShopDomain, shopMerchant } from './shop-domains.ts';
import { parseJsonKeepingNumbers, readShopifyOrder, SHOPIFY_ORDER_TOPICS } from './shopify-order.ts';
import { webhookSignatureValid } from './webhook-signature.ts';

/** Shopify's webhook headers (Node gives header names in lower case, whatever was sent). */
export const SHOPIFY_HEADERS = {
  hmac: 'x-shopify-hmac-sha256',
  topic: 'x-shopify-topic',
  shopDomain: 'x-shopify-shop-domain',
  webhookId: 'x-shopify-webhook-id',
} as const;

const ShopifyResult = Type.Object({
  order_id: Type.Optional(Type.String({ description: "Shopify's order id, exact" })),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('ignored')]),
});

const ShopifyHeaders = Type.Object({
  [SHOPIFY_HEADERS.hmac]: Type.Optional(Type.String({ description: 'base64 HMAC-SHA256 of the raw body' })),
  [SHOPIFY_HEADERS.topic]: Type.Optional(Type.String({ description: 'orders/create or orders/paid' })),
  [SHOPIFY_HEADERS.shopDomain]: Type.Optional(
    Type.String({ description: 'the shop, e.g. my-shop.myshopify.com' }),
  ),
  [SHOPIFY_HEADERS.webhookId]: Type.Optional(
    Type.String({ description: "the delivery's id, the same on retries" }),
  ),
});

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Shopify's order webhooks, as Shopify sends them:
 *
 * - `POST /v1/webhooks/shopify`: the merchant is the one X-Shopify-Shop-Domain is linked to
 *   (merchant_shop_domains); `POST /v1/webhooks/shopify/:merchant`: the merchant named by the path.
 * - X-Shopify-Hmac-Sha256 must be the base64 HMAC-SHA256 of the raw body bytes with the shop's
 *   key, compared in constant time; anything else (a hex digest, a digest of a re-serialised body,
 *   an unknown shop) is 401 and nothing is written.
 * - X-Shopify-Topic `orders/create` and `orders/paid` are read as orders (both carry the whole
 *   order; the second delivery of an order answers duplicate); any other topic answers 200 ignored,
 *   so Shopify does not retry it. A delivery that finds the order still being written by another
 *   answers 409 in_progress, so Shopify retries it (see takeOrder).
 * - The body may be up to SHOPIFY_BODY_LIMIT_BYTES (a large order is over 100 KB, beyond the
 *   api-wide BODY_LIMIT_BYTES); larger is 413.
 * - The body is parsed keeping every number as its text: order and customer ids exceed 2^53.
 * - An order without a subscriber id answers 2xx too (a 4xx makes Shopify retry and finally drop
 *   the webhook): written unattributed and counted in hoot_api_orders_unattributed_total.
 */
export function shopifyWebhookRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // The HMAC is over the bytes Shopify sent; parsing first would lose them.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );

    async function receive(request: FastifyRequest, reply: FastifyReply, pathMerchant: string | undefined) {
      const raw = request.body;
      if (!Buffer.isBuffer(raw)) {
        throw new RequestError(400, 'missing_body', 'a JSON body is required', 'body');
      }
      const shopDomain = normaliseShopDomain(header(request, SHOPIFY_HEADERS.shopDomain));
      if (pathMerchant === undefined && shopDomain === undefined) {
        throw new RequestError(
          400,
          'missing_shop_domain',
          `${SHOPIFY_HEADERS.shopDomain} must name the shop (e.g. my-shop.myshopify.com)`,
          `headers.${SHOPIFY_HEADERS.shopDomain}`,
        );
      }
      const owner = await shopMerchant(ctx.pool, shopDomain, pathMerchant);
      if (
        owner === undefined ||
        !webhookSignatureValid(raw, owner.secret, header(request, SHOPIFY_HEADERS.hmac))
      ) {
        ctx.metrics.orders.inc({ source: 'shopify', result: 'bad_signature' });
        throw new RequestError(
          401,
          'bad_signature',
          `${SHOPIFY_HEADERS.hmac} must be the base64 HMAC-SHA256 of the raw body with the shop's webhook key`,
          `headers.${SHOPIFY_HEADERS.hmac}`,
        );
      }

      const topic = header(request, SHOPIFY_HEADERS.topic);
      if (topic === undefined) {
        throw new RequestError(
          400,
          'missing_topic',
          `${SHOPIFY_HEADERS.topic} is required`,
          `headers.${SHOPIFY_HEADERS.topic}`,
        );
      }
      if (!(SHOPIFY_ORDER_TOPICS as readonly string[]).includes(topic)) {
        ctx.metrics.orders.inc({ source: 'shopify', result: 'ignored_topic' });
        return reply.code(200).send({ status: 'ignored' });
      }

      let body: unknown;
      try {
        body = parseJsonKeepingNumbers(raw.toString('utf8'));
      } catch {
        throw new RequestError(400, 'invalid_json', 'body is not valid JSON', 'body');
      }
      const order = readShopifyOrder(body);
      const webhookId = header(request, SHOPIFY_HEADERS.webhookId)?.slice(0, 128);
      const result = await takeOrder(ctx, {
        merchant: owner.merchant,
        orderId: order.orderId,
        customerId: order.customerId,
        subscriberId: order.subscriberId,
        totalMinor: order.totalMinor,
        currency: order.currency,
        createdAt: order.createdAt,
        source: 'shopify',
        ...(webhookId === undefined ? {} : { webhookId }),
      });
      ctx.metrics.orders.inc({ source: 'shopify', result });
      if (result === 'in_progress') throw orderInProgress(order.orderId);
      if (result === 'accepted' && order.attribution !== 'attributed') {
        ctx.metrics.ordersUnattributed.inc({ source: 'shopify', reason: order.attribution });
      }
      return reply.code(result === 'accepted' ? 202 : 200).send({ order_id: order.orderId, status: result });
    }

    const schema = {
      tags: ['orders'],
      headers: ShopifyHeaders,
      response: {
        200: ShopifyResult,
        202: ShopifyResult,
        ...errorResponses(400, 401, 409, 413, 415, 429, 503),
      },
    };
    app.post(
      '/v1/webhooks/shopify',
      {
        config: publicRateLimit(ctx.config),
        bodyLimit: ctx.config.SHOPIFY_BODY_LIMIT_BYTES,
        schema: {
          ...schema,
          summary: 'Shopify orders/create and orders/paid, the merchant by X-Shopify-Shop-Domain',
        },
      },
      (request, reply) => receive(request, reply, undefined),
    );
    app.post(
      '/v1/webhooks/shopify/:merchant',
      {
        config: publicRateLimit(ctx.config),
        bodyLimit: ctx.config.SHOPIFY_BODY_LIMIT_BYTES,
        schema: {
          ...schema,
          params: MerchantParams,
          summary: 'Shopify orders/create and orders/paid for the merchant in the path',
        },
      },
      (request, reply) => receive(request, reply, request.params.merchant),
    );
  };
}
