import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/error-schemas.ts';
import { authenticatedMerchant } from '../merchants/merchant-auth.ts';
import type { RouteContext } from '../route-context.ts';
import {
  Campaign,
  CampaignIdParams,
  CampaignList,
  CreateCampaignBody,
  ListQuery,
} from './campaign-schemas.ts';
import { createCampaign, listCampaigns } from './campaign-store.ts';
import { ownedCampaign } from './owned-campaign.ts';

const security = [{ apiKey: [] }];

/** Create, list and read campaigns: the merchant's own only. */
export function campaignRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/campaigns',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Create a draft campaign',
          security,
          body: CreateCampaignBody,
          response: { 201: Campaign, ...errorResponses(400, 401, 413, 415) },
        },
      },
      async (request, reply) => {
        const { merchant_id: _, ...campaign } = await createCampaign(
          ctx.pool,
          authenticatedMerchant(request),
          request.body,
        );
        return reply.code(201).send(campaign);
      },
    );

    app.get(
      '/v1/campaigns',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'List campaigns with their reports, paginated and sorted',
          description: 'Sorted by `sort` (default created_at) in `order` (default desc), ties by id.',
          security,
          querystring: ListQuery,
          response: { 200: CampaignList, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const { limit, offset } = request.query;
        const { campaigns, total } = await listCampaigns(
          ctx.pool,
          authenticatedMerchant(request),
          request.query,
        );
        const next = offset + campaigns.length;
        return { campaigns, total, limit, offset, next_offset: next < total ? next : null };
      },
    );

    app.get(
      '/v1/campaigns/:id',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'A campaign with its report',
          security,
          params: CampaignIdParams,
          response: { 200: Campaign, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => ownedCampaign(ctx.pool, request.params.id, authenticatedMerchant(request)),
    );
  };
}
