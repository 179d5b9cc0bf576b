// Catch-up throughput of the whole pipeline: PINGS generated pings (the seeded campaign workload,
// duplicates, seed-schema pings and late ones included) written first, then one processor service
// process (topology and Postgres sink) started on them. Reports when the topology has taken them
// all and when Postgres shows them all, then checks every figure against the ground truth.
// PROCESSORS processes share the work as one consumer group (one by default).
// Usage: node bench/pipeline-catchup.ts   (PINGS, RUNS, PROCESSORS env)
import { createBuiltinCatalog } from '@hoot/events';
import { Workload, writeRecords } from '@hoot/workload';
import pg from 'pg';
import { CampaignPipeline } from '../packages/processor/test/campaigns/pipeline.ts';
import { kafka } from '../packages/streams/test/integration/harness/kafka.ts';
import { machineLine, median } from './machine.ts';

const PINGS = Number(process.env.PINGS ?? 5_000_000);
const RUNS = Number(process.env.RUNS ?? 1);
const PROCESSORS = Number(process.env.PROCESSORS ?? 1);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function sums(db: pg.Pool): Promise<{ impressions: number; clicks: number }> {
  const { rows } = await db.query('SELECT sum(impressions) AS i, sum(clicks) AS c FROM campaign_reports');
  return { impressions: Number(rows[0]?.i ?? 0), clicks: Number(rows[0]?.c ?? 0) };
}

async function run(index: number) {
  const pipeline = new CampaignPipeline();
  await pipeline.prepare();
  // About 0.32 pings per notification (30% delivered, duplicates, clicks).
  const workload = new Workload({
    seed: 1000 + index,
    notifications: Math.round(PINGS / 0.322),
    merchants: 200,
    dispatch: false,
  });
  const db = new pg.Pool({ connectionString: pipeline.databaseUrl, max: 2 });
  try {
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const fillStart = performance.now();
    const written = await writeRecords(producer, createBuiltinCatalog(), workload.main(), pipeline.topics);
    await producer.disconnect();
    const fillSeconds = (performance.now() - fillStart) / 1000;

    const started = performance.now();
    for (let i = 0; i < PROCESSORS; i++) pipeline.start(pipeline.newStateDir(), { LOG_LEVEL: 'warn' });
    await pipeline.drain(3_600_000);
    const streamsSeconds = (performance.now() - started) / 1000;
    const want = { impressions: workload.truth.sum('impressions'), clicks: workload.truth.sum('clicks') };
    for (;;) {
      const got = await sums(db);
      if (got.impressions === want.impressions && got.clicks === want.clicks) break;
      await sleep(200);
    }
    const pipelineSeconds = (performance.now() - started) / 1000;
    const differences = await pipeline.differences(workload);
    return { written, fillSeconds, streamsSeconds, pipelineSeconds, differences: differences.length };
  } finally {
    await db.end();
    await pipeline.cleanup();
  }
}

console.log(
  `pipeline catch-up: ${PINGS} pings generated, 6 partitions, ${PROCESSORS} processor process(es) (topology + sink)`,
);
console.log(machineLine());
const results = [];
for (let i = 1; i <= RUNS; i++) {
  const r = await run(i);
  results.push(r);
  console.log(
    [
      `run ${i}: ${r.written} ping records written in ${r.fillSeconds.toFixed(1)} s;`,
      `topology caught up in ${r.streamsSeconds.toFixed(1)} s (${Math.round(r.written / r.streamsSeconds)} records/s);`,
      `Postgres complete in ${r.pipelineSeconds.toFixed(1)} s (${Math.round(r.written / r.pipelineSeconds)} records/s);`,
      `figures differing from the ground truth: ${r.differences}`,
    ].join(' '),
  );
}
if (RUNS > 1) {
  console.log(
    `median of ${RUNS}: topology ${Math.round(median(results.map((r) => r.written / r.streamsSeconds)))} records/s, whole pipeline ${Math.round(median(results.map((r) => r.written / r.pipelineSeconds)))} records/s`,
  );
}
