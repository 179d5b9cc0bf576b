import { createHash } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type pg from 'pg';
import { minorUnitDigits } from '../orders/money.ts';
import type { Campaign, CreateCampaignBody, ListQuery, Report } from './campaign-schemas.ts';

export type CampaignView = Static<typeof Campaign>;
type ReportView = Static<typeof Report>;

interface CampaignRow {
  id: string;
  merchant_id: string;
  title: string;
  body: string;
  url: string;
  icon: string | null;
  status: CampaignView['status'];
  ttl_seconds: number;
  urgency: CampaignView['urgency'];
  created_at: Date;
  send_requested_at: Date | null;
  sent_at: Date | null;
  canceled_at: Date | null;
  r_sent: string;
  r_impressions: string;
  r_clicks: string;
  r_orders: string;
  r_revenue_minor: string;
  r_currency: string | null;
  r_revenue_by_currency: Record<string, number | string> | null;
  r_updated_at: Date | null;
}

/**
 * Revenue per currency as the api answers it: the first currency first, then by code, each with
 * its ISO 4217 minor-unit digits so a reader formats it without guessing.
 */
export function revenueAmounts(
  byCurrency: Record<string, number | string> | null,
  first: string | null,
): Array<{ currency: string; revenue_minor: number; digits: number }> {
  return Object.entries(byCurrency ?? {})
    .map(([currency, minor]) => ({
      currency,
      revenue_minor: Number(minor),
      digits: minorUnitDigits(currency) ?? 2,
    }))
    .sort((a, b) =>
      a.currency === first ? -1 : b.currency === first ? 1 : a.currency < b.currency ? -1 : 1,
    );
}

/** A campaign with its report; a campaign the processor has not reported on yet has zeros. */
const SELECT_CAMPAIGN = `
  SELECT c.id, c.merchant_id, c.title, c.body, c.url, c.icon, c.status, c.ttl_seconds, c.urgency,
         c.created_at, c.send_requested_at, c.sent_at, c.canceled_at,
         COALESCE(r.sent, 0) AS r_sent, COALESCE(r.impressions, 0) AS r_impressions,
         COALESCE(r.clicks, 0) AS r_clicks, COALESCE(r.orders, 0) AS r_orders,
         COALESCE(r.revenue_minor, 0) AS r_revenue_minor, r.currency AS r_currency,
         r.revenue_by_currency AS r_revenue_by_currency, r.updated_at AS r_updated_at
  FROM campaigns c
  LEFT JOIN campaign_reports r
    ON r.merchant_id = c.merchant_id AND r.source = 'campaign' AND r.source_id = c.id`;

export function clickThroughRate(clicks: number, impressions: number): number {
  return impressions === 0 ? 0 : clicks / impressions;
}

function toReport(row: CampaignRow): ReportView {
  const impressions = Number(row.r_impressions);
  const clicks = Number(row.r_clicks);
  return {
    sent: Number(row.r_sent),
    impressions,
    clicks,
    ctr: clickThroughRate(clicks, impressions),
    orders: Number(row.r_orders),
    revenue_minor: Number(row.r_revenue_minor),
    currency: row.r_currency,
    revenue: revenueAmounts(row.r_revenue_by_currency, row.r_currency),
    updated_at: row.r_updated_at?.toISOString() ?? null,
  };
}

function toCampaign(row: CampaignRow): CampaignView & { merchant_id: string } {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: Number(row.id),
    merchant_id: row.merchant_id,
    title: row.title,
    body: row.body,
    url: row.url,
    icon: row.icon,
    status: row.status,
    ttl_seconds: row.ttl_seconds,
    urgency: row.urgency,
    created_at: row.created_at.toISOString(),
    send_requested_at: iso(row.send_requested_at),
    sent_at: iso(row.sent_at),
    canceled_at: iso(row.canceled_at),
    report: toReport(row),
  };
}

/** A campaign as its own merchant sees it: without the merchant id. */
function toOwnCampaign(row: CampaignRow): CampaignView {
  const { merchant_id: _, ...campaign } = toCampaign(row);
  return campaign;
}

export async function createCampaign(
  pool: pg.Pool,
  merchantId: string,
  input: Static<typeof CreateCampaignBody>,
): Promise<CampaignView & { merchant_id: string }> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO campaigns (merchant_id, title, body, url, icon, ttl_seconds, urgency)
     VALUES ($1, $2, $3, $4, $5, COALESCE($6, 2419200), COALESCE($7, 'normal')) RETURNING id`,
    [
      merchantId,
      input.title,
      input.body,
      input.url,
      input.icon ?? null,
      input.ttl_seconds ?? null,
      input.urgency ?? null,
    ],
  );
  const created = await findCampaign(pool, Number(rows[0]!.id));
  return created!;
}

/** Any merchant's campaign: callers decide between 403 and 200. */
export async function findCampaign(
  db: pg.Pool | pg.PoolClient,
  id: number,
  options: { forUpdate?: boolean } = {},
): Promise<(CampaignView & { merchant_id: string }) | undefined> {
  const { rows } = await db.query<CampaignRow>(
    `${SELECT_CAMPAIGN} WHERE c.id = $1${options.forUpdate ? ' FOR UPDATE OF c' : ''}`,
    [id],
  );
  return rows[0] === undefined ? undefined : toCampaign(rows[0]);
}

/** The merchant's campaigns among `ids`, with their reports; ids of other merchants are left out. */
export async function findMerchantCampaigns(
  pool: pg.Pool,
  merchantId: string,
  ids: readonly number[],
): Promise<CampaignView[]> {
  const { rows } = await pool.query<CampaignRow>(
    `${SELECT_CAMPAIGN} WHERE c.merchant_id = $1 AND c.id = ANY($2::bigint[]) ORDER BY c.id`,
    [merchantId, ids],
  );
  return rows.map(toOwnCampaign);
}

/**
 * Sort keys map to columns here only: a query string never reaches the SQL text. The report
 * figures sort by their copies on campaigns (migration campaign-list-order), each with an index.
 */
const sortColumns = {
  created_at: 'c.created_at',
  sent: 'c.order_sent',
  impressions: 'c.order_impressions',
  clicks: 'c.order_clicks',
  revenue: 'c.order_revenue_minor',
} as const;

/** A short stable name for a statement's text (pg names prepared statements per connection). */
function statementName(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

/**
 * One page of the merchant's campaigns with their reports, and how many there are (counted by
 * triggers in merchant_campaign_counts). Each sort
 * reads one index in order, so a page costs little at 10 or 10,000 campaigns; with a status
 * filter the statement names the status, so the planner can use its index too.
 */
export async function listCampaigns(
  pool: pg.Pool,
  merchantId: string,
  query: Static<typeof ListQuery>,
): Promise<{ campaigns: CampaignView[]; total: number }> {
  const column = sortColumns[(query.sort ?? 'created_at') as keyof typeof sortColumns];
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  const byStatus = query.status === undefined ? '' : ' AND c.status = $4';
  const params: unknown[] = [merchantId, query.limit, query.offset];
  if (query.status !== undefined) params.push(query.status);
  const pageText = `${SELECT_CAMPAIGN}
       WHERE c.id IN (
         SELECT c.id FROM campaigns c WHERE c.merchant_id = $1${byStatus}
         ORDER BY ${column} ${direction}, c.id ${direction} LIMIT $2 OFFSET $3)
       ORDER BY ${column} ${direction}, c.id ${direction}`;
  const [page, count] = await Promise.all([
    // The page's ids come from the index alone; only those 20 or so rows meet their reports. A
    // named statement per sort is planned once per connection instead of on every page.
    pool.query<CampaignRow>({
      name: `campaign-page-${statementName(pageText)}`,
      text: pageText,
      values: params,
    }),
    pool.query<{ total: string }>({
      name: query.status === undefined ? 'campaign-count' : 'campaign-count-status',
      text: `SELECT COALESCE(sum(campaigns), 0) AS total FROM merchant_campaign_counts
             WHERE merchant_id = $1${query.status === undefined ? '' : ' AND status = $2'}`,
      values: query.status === undefined ? [merchantId] : [merchantId, query.status],
    }),
  ]);
  return { campaigns: page.rows.map(toOwnCampaign), total: Number(count.rows[0]!.total) };
}

export interface HourRow {
  hour: string;
  sent: number;
  impressions: number;
  clicks: number;
  ctr: number;
  orders: number;
  revenue_minor: number;
  currency: string | null;
  revenue: ReturnType<typeof revenueAmounts>;
}

/** The campaign's hourly figures in [from, to), oldest first. */
export async function hourlyReport(
  pool: pg.Pool,
  merchantId: string,
  campaignId: number,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<HourRow[]> {
  const { rows } = await pool.query<{
    hour: Date;
    sent: string;
    impressions: string;
    clicks: string;
    orders: string;
    revenue_minor: string;
    currency: string | null;
    revenue_by_currency: Record<string, number | string>;
  }>(
    `SELECT hour, sent, impressions, clicks, orders, revenue_minor, currency, revenue_by_currency
     FROM campaign_hourly_reports
     WHERE merchant_id = $1 AND source = 'campaign' AND source_id = $2
       AND ($3::timestamptz IS NULL OR hour >= $3) AND ($4::timestamptz IS NULL OR hour < $4)
     ORDER BY hour LIMIT 5000`,
    [merchantId, campaignId, range.from ?? null, range.to ?? null],
  );
  return rows.map((row) => {
    const impressions = Number(row.impressions);
    const clicks = Number(row.clicks);
    return {
      hour: row.hour.toISOString(),
      sent: Number(row.sent),
      impressions,
      clicks,
      ctr: clickThroughRate(clicks, impressions),
      orders: Number(row.orders),
      revenue_minor: Number(row.revenue_minor),
      currency: row.currency,
      revenue: revenueAmounts(row.revenue_by_currency, row.currency),
    };
  });
}
