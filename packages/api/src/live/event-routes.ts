import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/error-schemas.ts';
import { authenticatedMerchant } from '../merchants/merchant-auth.ts';
import { type CampaignEventHub, sseMessage } from './campaign-event-hub.ts';

/** How soon a browser's EventSource reconnects after the stream drops (ms). */
const RECONNECT_MS = 1000;

/**
 * `GET /v1/events`: a server-sent event stream of the merchant's changed campaigns. It opens with
 * a `ready` event (a page reads afresh on every (re)connection, having possibly missed changes),
 * then sends `campaign` events as the sink commits; `resync` asks the page to read afresh.
 */
export function eventRoutes(hub: CampaignEventHub): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/events',
      {
        schema: {
          tags: ['dashboard'],
          summary: "Server-sent events: the merchant's campaigns as their figures or status change",
          description:
            'Events: `ready` on (re)connection, `campaign` with a Campaign as data, `resync` when the page should read afresh.',
          security: [{ apiKey: [] }],
          produces: ['text/event-stream'],
          response: errorResponses(401),
        },
      },
      (request, reply) => {
        const merchantId = authenticatedMerchant(request);
        reply.hijack();
        const page = reply.raw;
        page.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          // Proxies such as nginx would otherwise buffer the stream.
          'x-accel-buffering': 'no',
        });
        page.write(`retry: ${RECONNECT_MS}\n${sseMessage('ready', { merchant: merchantId })}`);
        const close = hub.open(merchantId, page);
        request.raw.on('close', close);
        page.on('close', close);
      },
    );
  };
}
