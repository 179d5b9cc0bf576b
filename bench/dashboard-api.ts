// Dashboard api benchmark: the answers the dashboard's campaign list and campaign page wait for,
// for one merchant with 10,000 campaigns and 1,000,000 hourly report rows. The api runs as its own
// process on a fresh database (hoot_bench_dashboard); autocannon drives each request kind in turn.
// Usage: node bench/dashboard-api.ts   (CAMPAIGNS 10000, HOURS 100 per campaign, RUNS 3,
//                                        DURATION 10 s, CONNECTIONS 4, BENCH_DATABASE_URL)
import { generateApiKey } from '@hoot/api';
import { migrate, withDatabase } from '@hoot/db';
import autocannon from 'autocannon';
import pg from 'pg';
import { machineLine, median } from './machine.ts';
import { startServer, stopServer } from './server-process.ts';

const CAMPAIGNS = Number(process.env.CAMPAIGNS ?? 10_000);
const HOURS = Number(process.env.HOURS ?? 100);
const RUNS = Number(process.env.RUNS ?? 3);
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 4);
const databaseUrl =
  process.env.BENCH_DATABASE_URL ??
  withDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hoot', 'hoot_bench_dashboard');
const MERCHANT = 'bench-dashboard.example';

/** A fresh database holding one merchant, its campaigns with reports, and their hourly rows. */
async function seed(): Promise<{ apiKey: string; ids: number[] }> {
  const admin = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await admin.connect();
  const name = new URL(databaseUrl).pathname.slice(1);
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  await migrate(databaseUrl);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const key = generateApiKey();
  await db.query(
    `INSERT INTO merchants (id, name, webhook_secret, time_zone) VALUES ($1, 'Bench', 'x', 'Europe/Berlin')`,
    [MERCHANT],
  );
  await db.query('INSERT INTO merchant_api_keys (merchant_id, key_hash, key_prefix) VALUES ($1, $2, $3)', [
    MERCHANT,
    key.hash,
    key.prefix,
  ]);
  await db.query(
    `INSERT INTO campaigns (merchant_id, title, body, url, status, created_at)
     SELECT $1, 'Campaign ' || g, 'Body of campaign ' || g, 'https://shop.example/c/' || g,
            (ARRAY['draft', 'sending', 'sent', 'canceled'])[1 + g % 4], now() - g * interval '1 hour'
     FROM generate_series(1, $2::int) AS g`,
    [MERCHANT, CAMPAIGNS],
  );
  await db.query(
    `INSERT INTO campaign_reports (merchant_id, source, source_id, sent, impressions, clicks, orders, revenue_minor, currency)
     SELECT merchant_id, 'campaign', id, 1000 + id % 997, 300 + id % 293, 15 + id % 17, id % 5, (id % 5) * 2599, 'EUR'
     FROM campaigns WHERE merchant_id = $1 AND status <> 'draft'`,
    [MERCHANT],
  );
  await db.query(
    `INSERT INTO campaign_hourly_reports (merchant_id, source, source_id, hour, sent, impressions, clicks, orders, revenue_minor, currency)
     SELECT c.merchant_id, 'campaign', c.id, date_trunc('hour', now()) - h * interval '1 hour', 10, 3 + h % 5, h % 2, 0, 0, 'EUR'
     FROM campaigns c, generate_series(0, $2::int - 1) AS h WHERE c.merchant_id = $1`,
    [MERCHANT, HOURS],
  );
  // As autovacuum leaves a table at rest: statistics and the visibility map (index-only scans).
  await db.query('VACUUM ANALYZE');
  const { rows } = await db.query<{ id: string }>('SELECT id FROM campaigns WHERE merchant_id = $1', [
    MERCHANT,
  ]);
  const counts = await db.query<{ n: string }>('SELECT count(*) AS n FROM campaign_hourly_reports');
  console.log(`seeded ${rows.length} campaigns and ${counts.rows[0]!.n} hourly rows`);
  await db.end();
  return { apiKey: key.key, ids: rows.map((r) => Number(r.id)) };
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

const { apiKey, ids } = await seed();
const api = await startServer('packages/api/src/main.ts', {
  DATABASE_URL: databaseUrl,
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  PING_TOKEN_SECRETS: 'bench-dashboard-ping-token-secret-0123456789',
  PORT: '0',
  LOG_LEVEL: 'info',
  RATE_LIMIT_MAX: '100000000',
});

let pick = 0;
/** The campaigns in a fixed, scattered order, so the runs read the same rows. */
function anyCampaign(): number {
  pick = (pick * 7919 + 13) % ids.length;
  return ids[pick]!;
}
const kinds: Record<string, () => string> = {
  'list, newest first (page 1 of 20)': () => '/v1/campaigns?limit=20',
  'list by impressions (page 1)': () => '/v1/campaigns?limit=20&sort=impressions&order=desc',
  'list by revenue, page 450': () => '/v1/campaigns?limit=20&offset=9000&sort=revenue&order=asc',
  'list of sent campaigns by clicks': () => '/v1/campaigns?limit=20&status=sent&sort=clicks&order=desc',
  'campaign page: the campaign': () => `/v1/campaigns/${anyCampaign()}`,
  [`campaign page: its ${HOURS} hourly rows`]: () => `/v1/campaigns/${anyCampaign()}/report/hourly`,
};

async function load(path: () => string): Promise<Figures> {
  const result = await autocannon({
    url: api.address,
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { authorization: `Bearer ${apiKey}` },
    requests: [
      {
        setupRequest: (request) => ({ ...request, path: path() }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
}

console.log(machineLine());
console.log(
  `dashboard api: ${CAMPAIGNS} campaigns, ${CAMPAIGNS * HOURS} hourly rows; ${RUNS} runs of ${DURATION} s per request kind, ${CONNECTIONS} connections`,
);
const results = new Map<string, Figures[]>();
try {
  for (const path of Object.values(kinds))
    await autocannon({
      url: `${api.address}${path()}`,
      duration: 1,
      headers: { authorization: `Bearer ${apiKey}` },
    });
  for (let run = 1; run <= RUNS; run++) {
    for (const [name, path] of Object.entries(kinds)) {
      const figures = await load(path);
      if (figures.non2xx > 0) throw new Error(`${name}: ${figures.non2xx} answers were not 2xx`);
      results.set(name, [...(results.get(name) ?? []), figures]);
      console.log(
        `run ${run} ${name}: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms`,
      );
    }
  }
} finally {
  await stopServer(api.child);
}
for (const [name, runs] of results) {
  console.log(
    `median ${name}: ${median(runs.map((r) => r.rps)).toFixed(0)} req/s, p50 ${median(runs.map((r) => r.p50))} ms, p99 ${median(runs.map((r) => r.p99))} ms`,
  );
}
