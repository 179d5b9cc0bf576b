import type { CampaignReport } from '@hoot/events';
import type { PoolClient } from 'pg';

/** The latest report per row in a batch: a statement may not upsert one row twice. */
export function latestPerRow(reports: CampaignReport[]): CampaignReport[] {
  const latest = new Map<string, CampaignReport>();
  for (const r of reports)
    latest.set(`${r.merchant}\u001f${r.source}\u001f${r.source_id}\u001f${r.window_start}`, r);
  return [...latest.values()];
}

const FIGURES = [
  'sent',
  'impressions',
  'clicks',
  'orders',
  'revenue_minor',
  'currency',
  'updated_at',
  'revenue_by_currency',
] as const;
const SET = FIGURES.map((c) => `${c} = EXCLUDED.${c}`).join(', ');

function columns(reports: CampaignReport[]) {
  return [
    reports.map((r) => r.merchant),
    reports.map((r) => r.source),
    reports.map((r) => r.source_id),
    reports.map((r) => r.sent),
    reports.map((r) => r.impressions),
    reports.map((r) => r.clicks),
    reports.map((r) => r.orders),
    reports.map((r) => r.revenue_minor),
    reports.map((r) => r.currency),
    reports.map((r) => new Date(r.updated_at)),
    // Minor units per currency as a JSON object: {"USD": 1999, "JPY": 1700}.
    reports.map((r) => JSON.stringify(r.revenue_by_currency ?? {})),
  ];
}

const UNNEST = `unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
  $7::bigint[], $8::bigint[], $9::text[], $10::timestamptz[], $11::jsonb[]`;

/** Upserts absolute figures: totals into campaign_reports, hours into campaign_hourly_reports. */
export async function upsertReports(client: PoolClient, reports: CampaignReport[]): Promise<void> {
  const rows = latestPerRow(reports);
  const totals = rows.filter((r) => r.window_start === null);
  const hourly = rows.filter((r) => r.window_start !== null);
  if (totals.length > 0) {
    await client.query(
      `INSERT INTO campaign_reports (merchant_id, source, source_id, ${FIGURES.join(', ')})
       SELECT * FROM ${UNNEST})
       ON CONFLICT (merchant_id, source, source_id) DO UPDATE SET ${SET}`,
      columns(totals),
    );
  }
  if (hourly.length > 0) {
    await client.query(
      `INSERT INTO campaign_hourly_reports (merchant_id, source, source_id, hour, ${FIGURES.join(', ')})
       SELECT m, s, i, to_timestamp(h / 1000.0), a, b, c, d, e, f, g, j
       FROM ${UNNEST}, $12::bigint[]) AS t(m, s, i, a, b, c, d, e, f, g, j, h)
       ON CONFLICT (merchant_id, source, source_id, hour) DO UPDATE SET ${SET}`,
      [...columns(hourly), hourly.map((r) => r.window_start)],
    );
  }
}
