// The dashboard's whole path on real components: a processor service (topology and Postgres sink)
// as its own process on topics and a database of its own, and the api in this process on that
// database, its pings going to the processor's ping topic. Shared by the dashboard browser test and
// bench/dashboard-live.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import { brokerList, createBuiltinCatalog, signPingToken } from '@hoot/events';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { CampaignPipeline } from '../../../processor/test/campaigns/pipeline.ts';
import {
  buildApi,
  connectKafka,
  createMerchant,
  type KafkaGateway,
  loadApiConfig,
  type NewMerchant,
} from '../../src/index.ts';

export interface DashboardStack {
  /** The api's base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  pool: pg.Pool;
  pipeline: CampaignPipeline;
  /** A merchant with a draft campaign-less account, in the given IANA time zone. */
  newMerchant(timeZone?: string): Promise<NewMerchant>;
  /** Creates a campaign through the api and marks it sent, as the dispatcher would once done. */
  sentCampaign(merchant: NewMerchant, title: string): Promise<number>;
  /**
   * Posts pings as the service worker does (POST /v1/pings, a token signed like the dispatcher's)
   * and resolves once the api answered 202, i.e. Kafka acknowledged them.
   */
  ping(
    merchant: NewMerchant,
    campaignId: number,
    pings: Array<{ type: 'delivery' | 'click'; time: Date; notificationId?: string; subscriberId?: number }>,
  ): Promise<void>;
  /** Polls Postgres until the campaign's totals reach `impressions`; throws after `timeoutMs`. */
  waitForImpressions(
    merchant: NewMerchant,
    campaignId: number,
    impressions: number,
    timeoutMs?: number,
  ): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `env` adds to or overrides the api's configuration. */
export async function startDashboardStack(env: Record<string, string> = {}): Promise<DashboardStack> {
  const pipeline = new CampaignPipeline();
  await pipeline.prepare();
  const processor = pipeline.start(pipeline.newStateDir());
  const secret = randomBytes(32).toString('base64url');
  const config = loadApiConfig({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    DATABASE_URL: pipeline.databaseUrl,
    PING_TOKEN_SECRETS: secret,
    PING_TOPIC: pipeline.topics.ping,
    ORDERS_TOPIC: pipeline.topics.orders,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '100000',
    ...env,
  });
  const pool = new pg.Pool({ connectionString: pipeline.databaseUrl, max: 10 });
  const logger = pino({ level: 'silent' });
  let kafka: KafkaGateway | undefined;
  let app: FastifyInstance | undefined;
  try {
    kafka = await connectKafka({
      brokers: brokerList(config),
      clientId: 'dashboard-stack',
      timeoutMs: config.PRODUCE_TIMEOUT_MS,
      logger,
    });
    app = await buildApi({ config, pool, kafka, schemaRegistry: createBuiltinCatalog(), logger });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    await processor.waitForLog((l) => l.msg === 'processor running' || l.level >= 50, 120_000);
    const api = app;
    const gateway = kafka;
    return {
      url,
      pool,
      pipeline,
      async newMerchant(timeZone = 'UTC') {
        const merchant = await createMerchant(
          pool,
          `dash-${randomUUID().slice(0, 8)}.example`,
          'Nordic Boots',
        );
        await pool.query('UPDATE merchants SET time_zone = $2 WHERE id = $1', [merchant.id, timeZone]);
        return merchant;
      },
      async sentCampaign(merchant, title) {
        const res = await fetch(`${url}/v1/campaigns`, {
          method: 'POST',
          headers: { authorization: `Bearer ${merchant.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            title,
            body: 'Warm boots for the cold days ahead',
            url: 'https://shop.example/boots',
          }),
        });
        if (res.status !== 201) throw new Error(`campaign not created: ${res.status} ${await res.text()}`);
        const { id } = (await res.json()) as { id: number };
        await pool.query(
          `UPDATE campaigns SET status = 'sent', send_requested_at = now(), sent_at = now() WHERE id = $1`,
          [id],
        );
        return id;
      },
      async ping(merchant, campaignId, pings) {
        const now = Math.floor(Date.now() / 1000);
        for (let start = 0; start < pings.length; start += config.PING_BATCH_MAX) {
          const body = {
            pings: pings.slice(start, start + config.PING_BATCH_MAX).map((p, i) => ({
              type: p.type,
              time: p.time.toISOString(),
              token: signPingToken(
                {
                  notificationId: p.notificationId ?? randomUUID(),
                  merchant: merchant.id,
                  source: 'campaign',
                  sourceId: campaignId,
                  subscriberId: p.subscriberId ?? start + i + 1,
                  expiresAt: now + 3600,
                  issuedAt: now - 12 * 3600,
                },
                secret,
              ),
            })),
          };
          const res = await fetch(`${url}/v1/pings`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain;charset=UTF-8' },
            body: JSON.stringify(body),
          });
          if (res.status !== 202) throw new Error(`pings refused: ${res.status} ${await res.text()}`);
        }
      },
      async waitForImpressions(merchant, campaignId, impressions, timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const { rows } = await pool.query<{ impressions: string }>(
            `SELECT impressions FROM campaign_reports WHERE merchant_id = $1 AND source = 'campaign' AND source_id = $2`,
            [merchant.id, campaignId],
          );
          if (Number(rows[0]?.impressions ?? 0) >= impressions) return;
          if (Date.now() > deadline) {
            throw new Error(
              `campaign ${campaignId} has ${rows[0]?.impressions ?? 0} of ${impressions} impressions; processor problems: ${pipeline.problems().join('; ')}`,
            );
          }
          await sleep(50);
        }
      },
      async close() {
        await api.close();
        await gateway.close();
        await pool.end();
        await pipeline.cleanup();
      },
    };
  } catch (error) {
    await app?.close();
    await kafka?.close();
    await pool.end();
    await pipeline.cleanup();
    throw error;
  }
}
