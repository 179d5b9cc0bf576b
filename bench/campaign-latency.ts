// Campaign reporting latency: from a ping produced to its effect visible in Postgres, under a
// steady background load of pings. The processor service (topology and sink) runs as its own
// process on fresh topics and a fresh database.
// Usage: node bench/campaign-latency.ts   (RATE pings/s, SECONDS per run, RUNS, PROCESSORS env)
import pg from 'pg';
import { CampaignPipeline } from '../packages/processor/test/campaigns/pipeline.ts';
import { machineLine, median } from './machine.ts';
import { createPingWriter } from './ping-writer.ts';

const RATE = Number(process.env.RATE ?? 3000);
const SECONDS = Number(process.env.SECONDS ?? 60);
const RUNS = Number(process.env.RUNS ?? 3);
const PROCESSORS = Number(process.env.PROCESSORS ?? 1);
const PROBES_PER_SECOND = 5;
const TICK_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

const pipeline = new CampaignPipeline();
await pipeline.prepare();
for (let i = 0; i < PROCESSORS; i++) {
  // At info level: 'processor running' is an info line, which a warn level hid, and every run then
  // waited out the timeout before its first ping.
  const child = pipeline.start(pipeline.newStateDir());
  const line = await child.waitForLog((l) => l.msg === 'processor running' || l.level >= 50, 120_000);
  if (line.msg !== 'processor running') throw new Error(`processor ${i} failed to start: ${line.msg}`);
}
const writer = await createPingWriter(pipeline.topics.ping);
const db = new pg.Pool({ connectionString: pipeline.databaseUrl, max: 8 });
const { ping, send } = writer;
let sequence = 0;

/** Produces one probe ping for a campaign of its own and waits until Postgres counts it. */
async function probe(run: number, n: number): Promise<number> {
  const merchant = `probe-${run}-${n}.example`;
  const started = performance.now();
  await send([ping(merchant, 1)]);
  for (;;) {
    const { rows } = await db.query('SELECT impressions FROM campaign_reports WHERE merchant_id = $1', [
      merchant,
    ]);
    if (Number(rows[0]?.impressions ?? 0) >= 1) return performance.now() - started;
    await sleep(5);
  }
}

async function run(index: number) {
  const latencies: Promise<number>[] = [];
  // A failed load send fails the run once its probes are in, not the process at some later tick.
  const loads: Promise<void>[] = [];
  let loadError: unknown;
  const perTick = Math.round((RATE * TICK_MS) / 1000);
  const ticks = (SECONDS * 1000) / TICK_MS;
  const probeEvery = Math.round(1000 / PROBES_PER_SECOND / TICK_MS);
  const started = performance.now();
  let sent = 0;
  for (let tick = 0; tick < ticks; tick++) {
    const due = started + tick * TICK_MS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const batch = Array.from({ length: perTick }, () => {
      sequence++;
      return ping(`load-${sequence % 40}.example`, sequence % 7);
    });
    loads.push(
      send(batch).catch((error: unknown) => {
        loadError ??= error;
      }),
    );
    sent += batch.length;
    if (tick % probeEvery === 0) latencies.push(probe(index, tick));
  }
  const elapsed = (performance.now() - started) / 1000;
  const sorted = (await Promise.all(latencies)).sort((a, b) => a - b);
  await Promise.all(loads);
  if (loadError !== undefined) throw loadError;
  return {
    rate: sent / elapsed,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1)!,
    n: sorted.length,
  };
}

console.log(
  `campaign latency: ping produced -> visible in Postgres; ${RATE} pings/s for ${SECONDS} s, ${PROCESSORS} processor process(es), 6 partitions`,
);
console.log(machineLine());
const results = [];
try {
  await sleep(3000);
  for (let i = 1; i <= RUNS; i++) {
    const r = await run(i);
    results.push(r);
    console.log(
      `run ${i}: load ${Math.round(r.rate)} pings/s, ${r.n} probes: p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms, max ${r.max.toFixed(0)} ms`,
    );
  }
  console.log(
    `median of ${RUNS}: p50 ${median(results.map((r) => r.p50)).toFixed(0)} ms, p99 ${median(results.map((r) => r.p99)).toFixed(0)} ms`,
  );
} finally {
  await writer.close();
  await db.end();
  await pipeline.cleanup();
}
