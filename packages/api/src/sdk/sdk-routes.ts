import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ErrorBody } from '../http/error-handler.ts';
import { publicRateLimit, type RouteContext } from '../route-context.ts';
import { MerchantParams } from '../subscriptions/subscription-schemas.ts';
import { SERVICE_WORKER_SCRIPT } from './service-worker-script.ts';
import { subscribeSnippet } from './subscribe-snippet.ts';

const javascript = 'application/javascript; charset=utf-8';

/** The browser scripts: the service worker body and the per-merchant subscribe snippet. */
export function sdkRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const vapidPublicKey = ctx.config.VAPID_PUBLIC_KEY;
    // Checked at start: without the key no browser can subscribe, and a merchant would only find
    // out from a failing button on their site.
    if (vapidPublicKey === undefined) {
      app.log.warn(
        "VAPID_PUBLIC_KEY is not set: subscribe snippets are refused (503) until it is set to the dispatcher's VAPID public key",
      );
    }

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
          description:
            '503 `vapid_key_missing` while the api has no VAPID_PUBLIC_KEY: without it no browser can subscribe.',
        },
      },
      async (request, reply) => {
        if (vapidPublicKey === undefined) {
          // A script without the key could only fail in the browser (PushManager.subscribe needs
          // the applicationServerKey the dispatcher signs with, RFC 8292), far from the cause.
          const body: ErrorBody = {
            error: 'vapid_key_missing',
            message:
              'the api has no VAPID_PUBLIC_KEY, so browsers cannot subscribe: set it to the VAPID public key the dispatcher signs pushes with',
          };
          return reply.code(503).header('cache-control', 'no-store').send(body);
        }
        const apiUrl = (ctx.config.PUBLIC_URL ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
        const script = subscribeSnippet({
          apiUrl,
          merchant: request.params.merchant,
          vapidPublicKey,
        });
        return reply.type(javascript).header('cache-control', 'public, max-age=300').send(script);
      },
    );
  };
}
