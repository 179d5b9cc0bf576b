import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createAvroSerde,
  createBuiltinCatalog,
  type SeedPing,
  seedPingSchema,
  valueSubject,
} from '@hoot/events';
import pg from 'pg';
import { kafka } from '../../../streams/test/integration/harness/kafka.ts';
import { CampaignPipeline } from './pipeline.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Python's str(datetime) of a naive UTC time, as the seed's producers wrote ping times. */
function pythonTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace('Z', '')
    .replace(/\.000$/, '');
}

describe('a ping from a wrong clock', () => {
  const pipeline = new CampaignPipeline();
  const metricsPort = 19_950 + Math.floor(Math.random() * 40);
  before(() => pipeline.prepare());
  after(() => pipeline.cleanup());

  it('counts at its Kafka timestamp and leaves stream time alone: the pings after it still count', async () => {
    // The sequence, on one partition, seed schema, no key: subscriber 1 delivered at
    // 10:00, subscriber 9 "delivered" three months ahead, subscriber 2 delivered at 10:05,
    // subscriber 1 clicked at 10:06 (hours relative to now, so the test runs any day).
    const ten = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const wrongClock = ten + 90 * 24 * HOUR;
    const ping = (
      subscriber: number,
      delivered: number | null,
      clicked: number | null,
      campaign = 77,
    ): SeedPing => ({
      merchant: 'clock.example',
      source: 'campaign',
      source_id: campaign,
      subscriber_id: subscriber,
      delivered_time: delivered === null ? null : pythonTime(delivered),
      clicked_time: clicked === null ? null : pythonTime(clicked),
    });
    const pings = [
      ping(1, ten, null),
      ping(9, wrongClock, null),
      ping(2, ten + 5 * MINUTE, null),
      ping(1, null, ten + 6 * MINUTE),
    ];
    const serde = createAvroSerde<SeedPing>({
      registry: createBuiltinCatalog(),
      subject: valueSubject(pipeline.topics.ping),
      schema: seedPingSchema,
    });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const produced = Date.now();
    // A producer whose clock is three months ahead stamps its Kafka timestamps (CreateTime) three
    // months ahead too, and the broker takes them: campaign 78's wrong ping carries both.
    const wrongProducer: Array<{ ping: SeedPing; timestamp?: number }> = [
      { ping: ping(21, wrongClock, null, 78), timestamp: wrongClock },
      { ping: ping(22, ten + 10 * MINUTE, null, 78) },
    ];
    const written: Array<{ ping: SeedPing; timestamp?: number }> = [
      ...pings.map((p) => ({ ping: p })),
      ...wrongProducer,
    ];
    for (const { ping: p, timestamp } of written) {
      // One at a time, in order, on one partition, as one producer wrote them.
      await producer.send({
        topic: pipeline.topics.ping,
        acks: -1,
        messages: [
          {
            partition: 0,
            key: null,
            value: await serde.encode(p),
            ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }),
          },
        ],
      });
    }
    await producer.disconnect();

    const processor = pipeline.start(pipeline.newStateDir(), { HTTP_PORT: String(metricsPort) });
    await processor.waitForLog((l) => l.msg === 'processor running' || l.level >= 50, 120_000);
    await pipeline.drain();

    const db = new pg.Client({ connectionString: pipeline.databaseUrl });
    await db.connect();
    try {
      const hourly = async () =>
        (
          await db.query<{ hour: Date; impressions: string; clicks: string }>(
            `SELECT hour, impressions, clicks FROM campaign_hourly_reports
             WHERE merchant_id = 'clock.example' AND source_id = 77 ORDER BY hour`,
          )
        ).rows.map((r) => [r.hour.getTime(), Number(r.impressions), Number(r.clicks)]);
      const deadline = Date.now() + 60_000;
      const kafkaHour = Math.floor(produced / HOUR) * HOUR;
      const want = [
        [ten, 2, 1],
        [kafkaHour, 1, 0],
      ];
      let got = await hourly();
      while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        got = await hourly();
      }
      assert.deepEqual(got, want, `hourly rows; logged: ${pipeline.problems().join('; ')}`);
      const totals = await db.query(
        `SELECT impressions, clicks FROM campaign_reports WHERE merchant_id = 'clock.example' AND source_id = 77`,
      );
      assert.deepEqual([Number(totals.rows[0].impressions), Number(totals.rows[0].clicks)], [3, 1]);
      const wrongKafka = await db.query<{ hour: Date; impressions: string }>(
        `SELECT hour, impressions FROM campaign_hourly_reports
         WHERE merchant_id = 'clock.example' AND source_id = 78 ORDER BY hour`,
      );
      assert.deepEqual(
        wrongKafka.rows.map((r) => [r.hour.getTime(), Number(r.impressions)]),
        [
          [ten, 1],
          [kafkaHour, 1],
        ],
        'a wrong Kafka timestamp counts at the processor clock, and the ping after it still counts',
      );
    } finally {
      await db.end();
    }
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const counted = new RegExp(
      `hoot_engine_future_event_times_total\\{topic="${pipeline.topics.ping}"\\} (\\d+)`,
    ).exec(metrics);
    assert.ok(counted !== null && Number(counted[1]) >= 1, 'the wrong clock is counted');
    assert.doesNotMatch(
      metrics,
      /hoot_engine_late_records_dropped_total\{[^}]*\} [1-9]/,
      'nothing was dropped as late',
    );
  });
});
