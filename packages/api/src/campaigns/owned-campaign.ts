import type pg from 'pg';
import { RequestError } from '../http/request-error.ts';
import { type CampaignView, findCampaign } from './campaign-store.ts';

/**
 * The campaign `id` if the merchant owns it: 404 when there is no such campaign, 403 when it is
 * another merchant's. Tenant isolation rests on every merchant route going through here or
 * filtering by merchant in its SQL.
 */
export async function ownedCampaign(
  db: pg.Pool | pg.PoolClient,
  id: number,
  merchantId: string,
  options: { forUpdate?: boolean } = {},
): Promise<CampaignView> {
  const campaign = await findCampaign(db, id, options);
  if (campaign === undefined) {
    throw new RequestError(404, 'campaign_not_found', `campaign ${id} does not exist`, 'params.id');
  }
  const { merchant_id: owner, ...view } = campaign;
  if (owner !== merchantId) {
    throw new RequestError(403, 'forbidden', `campaign ${id} belongs to another merchant`, 'params.id');
  }
  return view;
}
