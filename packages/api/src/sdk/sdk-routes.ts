import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { publicRateLimit, type RouteContext } from '../route-context.ts';
import { MerchantParams } from '../subscriptions/subscription-schemas.ts';
import { SERVICE_WORKER_SCRIPT } from './service-worker-script.ts';
import { subscribeSnippet } from './subscribe-snippet.ts';

const javascript = 'application/javascript; charset=utf-8';

/** The browser scripts: the service worker body and the per-merchant subscribe snippet. */
export function sdkRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/sdk/service-worker.js',
      {
        config: publicRateLimit(ctx.config),
        schema: {
          tags: ['sdk'],
          summary: 'The service worker script (importScripts it from your own worker file)',
        },
      },
      async (_request, reply) =>
        reply.type(javascript).header('cache-control', 'public, max-age=300').send(SERVICE_WORKER_SCRIPT),
    );

    app.get(
      '/v1/merchants/:merchant/subscribe.js',
      {
        config: publicRateLimit(ctx.config),
        schema: {
          tags: ['sdk'],
          summary: "The subscribe snippet for a merchant's site",
          params: MerchantParams,
        },
      },
      async (request, reply) => {
        const apiUrl = (ctx.config.PUBLIC_URL ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
        const script = subscribeSnippet({
          apiUrl,
          merchant: request.params.merchant,
          vapidPublicKey: ctx.config.VAPID_PUBLIC_KEY ?? null,
        });
        return reply.type(javascript).header('cache-control', 'public, max-age=300').send(script);
      },
    );
  };
}
