// Engine benchmark: catch-up throughput of one processor on a pre-filled topic, restore throughput
// from changelogs into an empty state directory, and the raw kafkajs consume rate of the same
// topic as the ceiling. Usage: node bench/engine-throughput.ts  (RECORDS, PARTITIONS, RUNS env)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  countingAggregatorTopology,
  createKafkajsPort,
  EngineMetrics,
  StreamProcessor,
} from './engine-topology.ts';
import { machineLine, median } from './machine.ts';

const RECORDS = Number(process.env.RECORDS ?? 2_000_000);
const PARTITIONS = Number(process.env.PARTITIONS ?? 6);
const RUNS = Number(process.env.RUNS ?? 3);
const COMMIT_INTERVAL_MS = Number(process.env.COMMIT_INTERVAL_MS ?? 100);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
const prefix = `bench-${randomUUID().slice(0, 8)}`;
const input = `${prefix}-input`;
const output = `${prefix}-output`;
const logger = pino({ level: 'warn' });

async function prefill(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: input, numPartitions: PARTITIONS },
      { topic: output, numPartitions: PARTITIONS },
    ],
  });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const start = performance.now();
  const base = Date.UTC(2026, 10, 1);
  const batch = 20_000;
  for (let i = 0; i < RECORDS; i += batch) {
    const messages = [];
    for (let j = i; j < Math.min(RECORDS, i + batch); j++) {
      const group = `shop-${j % 500}.example/campaign/${j % 37}`;
      // One record in 20 repeats an earlier id: the distinct step has work to do.
      const id = j % 20 === 0 && j > 0 ? `n-${j - 1}` : `n-${j}`;
      messages.push({ key: group, value: JSON.stringify({ id, group, ts: base + (j % 86_400) * 1000 }) });
    }
    await producer.send({ topic: input, acks: -1, messages });
  }
  await producer.disconnect();
  return (performance.now() - start) / 1000;
}

async function rawConsume(): Promise<number> {
  const consumer = kafka.consumer({
    groupId: `${prefix}-raw-${randomUUID()}`,
    maxBytesPerPartition: 2 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  let seen = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= RECORDS) resolve();
      },
    });
  });
  const seconds = (performance.now() - start) / 1000;
  await consumer.disconnect();
  return RECORDS / seconds;
}

async function lag(groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(input);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [input] });
  await admin.disconnect();
  let total = 0;
  for (const end of ends) {
    const c = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
    total += Number(end.high) - Math.max(0, c);
  }
  return total;
}

function processor(applicationId: string, stateDir: string, registry = new Registry()): StreamProcessor {
  return new StreamProcessor({
    applicationId,
    topology: countingAggregatorTopology(input, output),
    port: createKafkajsPort({ brokers, clientId: applicationId, logger }),
    stateDir,
    commitIntervalMs: COMMIT_INTERVAL_MS,
    commitMaxRecords: 20_000,
    metrics: new EngineMetrics(registry),
    logger,
  });
}

async function catchUpAndRestore(
  run: number,
): Promise<{ catchUp: number; restore: number; restored: number }> {
  const applicationId = `${prefix}-app-${run}`;
  const dir = mkdtempSync(join(tmpdir(), 'hoot-bench-'));
  const firstRegistry = new Registry();
  const first = processor(applicationId, dir, firstRegistry);
  const start = performance.now();
  await first.start();
  while ((await lag(applicationId)) > 0) await new Promise((r) => setTimeout(r, 200));
  const catchUp = RECORDS / ((performance.now() - start) / 1000);
  const commits =
    (await firstRegistry.getSingleMetric('hoot_engine_commit_duration_seconds')?.get())?.values ?? [];
  const count =
    commits.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))?.value ?? 0;
  const sum = commits.find((v) => (v as { metricName?: string }).metricName?.endsWith('_sum'))?.value ?? 0;
  console.log(
    `  commits: ${count}, mean commit ${((sum / Math.max(1, count)) * 1000).toFixed(1)} ms, ${Math.round(RECORDS / Math.max(1, count))} records per commit`,
  );
  await first.stop();

  const empty = mkdtempSync(join(tmpdir(), 'hoot-bench-'));
  const registry = new Registry();
  const second = new StreamProcessor({
    applicationId,
    topology: countingAggregatorTopology(input, output),
    port: createKafkajsPort({ brokers, clientId: applicationId, logger }),
    stateDir: empty,
    commitIntervalMs: COMMIT_INTERVAL_MS,
    commitMaxRecords: 20_000,
    metrics: new EngineMetrics(registry),
    logger,
  });
  const restoreStart = performance.now();
  await second.start();
  while (!second.ready || (await restoredRecords(registry)) === 0)
    await new Promise((r) => setTimeout(r, 20));
  const restoreSeconds = (performance.now() - restoreStart) / 1000;
  const restored = await restoredRecords(registry);
  await second.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
  return { catchUp, restore: restored / restoreSeconds, restored };
}

async function restoredRecords(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('hoot_engine_restored_records_total')?.get();
  return (metric?.values ?? []).reduce((n, v) => n + v.value, 0);
}

console.log(`machine: ${machineLine()}`);
console.log(
  `records: ${RECORDS}, partitions: ${PARTITIONS}, runs: ${RUNS}, commit interval: ${COMMIT_INTERVAL_MS} ms`,
);
const prefillSeconds = await prefill();
console.log(`prefill: ${RECORDS} records in ${prefillSeconds.toFixed(1)} s`);
const raw: number[] = [];
const catchUp: number[] = [];
const restore: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  raw.push(await rawConsume());
  const r = await catchUpAndRestore(run);
  catchUp.push(r.catchUp);
  restore.push(r.restore);
  console.log(
    `run ${run}: raw kafkajs consume ${Math.round(raw.at(-1)!)} records/s; engine catch-up ${Math.round(r.catchUp)} records/s; ` +
      `restore ${Math.round(r.restore)} records/s (${r.restored} changelog records)`,
  );
}
console.log(
  `median of ${RUNS}: raw kafkajs consume ${Math.round(median(raw))} records/s; ` +
    `engine catch-up ${Math.round(median(catchUp))} records/s; restore ${Math.round(median(restore))} records/s`,
);
const admin = kafka.admin();
await admin.connect();
await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)) });
await admin.disconnect();
