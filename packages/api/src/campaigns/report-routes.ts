import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/error-schemas.ts';
import { authenticatedMerchant } from '../merchants/merchant-auth.ts';
import type { RouteContext } from '../route-context.ts';
import { CampaignIdParams, CampaignReport, HourlyQuery, HourlyReport } from './campaign-schemas.ts';
import { hourlyReport } from './campaign-store.ts';
import { ownedCampaign } from './owned-campaign.ts';

/** A campaign's totals and hourly series, as the processor's Postgres sink keeps them. */
export function reportRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/campaigns/:id/report',
      {
        schema: {
          tags: ['reports'],
          summary: "A campaign's totals: sent, impressions, clicks, CTR, orders, revenue",
          security: [{ apiKey: [] }],
          params: CampaignIdParams,
          response: { 200: CampaignReport, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const campaign = await ownedCampaign(ctx.pool, request.params.id, authenticatedMerchant(request));
        return { campaign_id: campaign.id, ...campaign.report };
      },
    );

    app.get(
      '/v1/campaigns/:id/report/hourly',
      {
        schema: {
          tags: ['reports'],
          summary: "A campaign's figures per UTC hour of event time, oldest first",
          description: 'Hours in [from, to); both optional. Hours without any event are absent.',
          security: [{ apiKey: [] }],
          params: CampaignIdParams,
          querystring: HourlyQuery,
          response: { 200: HourlyReport, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const merchantId = authenticatedMerchant(request);
        const campaign = await ownedCampaign(ctx.pool, request.params.id, merchantId);
        const hours = await hourlyReport(ctx.pool, merchantId, campaign.id, request.query);
        return { campaign_id: campaign.id, hours };
      },
    );
  };
}
