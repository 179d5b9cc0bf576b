import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/error-schemas.ts';
import { authenticatedMerchant } from '../merchants/merchant-auth.ts';
import { findMerchantProfile } from '../merchants/merchant-profile.ts';
import type { RouteContext } from '../route-context.ts';
import { SubscriberStats, SubscriberStatsQuery, subscriberStats } from './subscriber-stats.ts';

/** The merchant's audience at a glance, for the dashboard's subscribers page. */
export function subscriberStatsRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/subscribers/stats',
      {
        schema: {
          tags: ['subscribers'],
          summary: 'Subscribers: totals, by push service, and growth per day in the merchant time zone',
          security: [{ apiKey: [] }],
          querystring: SubscriberStatsQuery,
          response: { 200: SubscriberStats, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const merchantId = authenticatedMerchant(request);
        const profile = await findMerchantProfile(ctx.pool, merchantId);
        return subscriberStats(ctx.pool, merchantId, profile!.time_zone, request.query.days);
      },
    );
  };
}
