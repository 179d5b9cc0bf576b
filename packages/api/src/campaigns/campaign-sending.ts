import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { inTransaction } from '@hoot/db';
import type { CampaignSendRequest } from '@hoot/events';
import { errorResponses } from '../http/error-schemas.ts';
import { RequestError } from '../http/request-error.ts';
import { authenticatedMerchant } from '../merchants/merchant-auth.ts';
import type { RouteContext } from '../route-context.ts';
import { CampaignIdParams, SendAccepted } from './campaign-schemas.ts';
import { type CampaignView, findCampaign } from './campaign-store.ts';
import { ownedCampaign } from './owned-campaign.ts';

type Action = CampaignSendRequest['action'];

/** Which statuses each action may start from, and what it sets. */
const transitions: Record<Action, { from: ReadonlyArray<CampaignView['status']>; set: string }> = {
  send: { from: ['draft'], set: "status = 'sending', send_requested_at = now()" },
  cancel: { from: ['draft', 'sending'], set: "status = 'canceled', canceled_at = now()" },
};

/**
 * Send and cancel hand the campaign to the dispatcher through Kafka. The status change and the
 * request are tied: the row stays locked while the request is produced with acks=all, and the
 * transaction commits only after Kafka has it, so a failed produce leaves the campaign as it was
 * (503), and a concurrent second send waits for the lock and then gets 409.
 */
export function campaignSendingRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const action of ['send', 'cancel'] as const) {
      app.post(
        `/v1/campaigns/:id/${action}`,
        {
          schema: {
            tags: ['campaigns'],
            summary: action === 'send' ? 'Send a draft campaign' : 'Cancel a draft or sending campaign',
            security: [{ apiKey: [] }],
            params: CampaignIdParams,
            response: { 202: SendAccepted, ...errorResponses(400, 401, 403, 404, 409, 503) },
          },
        },
        async (request, reply) => {
          const merchantId = authenticatedMerchant(request);
          const { id } = request.params;
          const rule = transitions[action];
          const result = await inTransaction(ctx.pool, async (client) => {
            const campaign = await ownedCampaign(client, id, merchantId, { forUpdate: true });
            if (!rule.from.includes(campaign.status)) {
              throw new RequestError(
                409,
                'conflict',
                `campaign ${id} is ${campaign.status}; ${action} needs ${rule.from.join(' or ')}`,
                'params.id',
              );
            }
            await client.query(`UPDATE campaigns SET ${rule.set} WHERE id = $1`, [id]);
            const sendRequest: CampaignSendRequest = {
              request_id: randomUUID(),
              merchant: merchantId,
              campaign_id: id,
              action,
              requested_at: Date.now(),
            };
            await ctx.events.send([
              {
                topic: ctx.config.CAMPAIGN_SEND_TOPIC,
                key: `${merchantId}/${id}`,
                value: await ctx.serdes.campaignSendRequest.encode(sendRequest),
              },
            ]);
            return { requestId: sendRequest.request_id, campaign: await findCampaign(client, id) };
          });
          ctx.metrics.campaignRequests.inc({ action });
          const { merchant_id: _, ...campaign } = result.campaign!;
          return reply.code(202).send({ campaign, request_id: result.requestId });
        },
      );
    }
  };
}
