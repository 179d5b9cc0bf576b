import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { publicRateLimit, type RouteContext } from '../route-context.ts';
import { SHOPIFY_CART_SCRIPT } from './shopify-cart-script.ts';

/** GET /v1/sdk/shopify-cart.js: the storefront script that writes the subscriber id into the cart. */
export function shopifyCartRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/sdk/shopify-cart.js',
      {
        config: publicRateLimit(ctx.config),
        schema: {
          tags: ['sdk'],
          summary: "The Shopify storefront script: puts the subscriber id into the cart's attributes",
        },
      },
      async (_request, reply) =>
        reply
          .type('application/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=300')
          .send(SHOPIFY_CART_SCRIPT),
    );
  };
}
