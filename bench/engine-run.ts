// One engine phase of the engine benchmark, in a process of its own so that its CPU time and peak
// RSS are its own: `catch-up` processes the input topic to its end from an empty state directory;
// `restore` restores that application's changelogs into an empty one; `restart` starts on the
// state directory a catch-up left and measures the time until every task runs. Prints one JSON
// line. Usage: node bench/engine-run.ts <catch-up|restore|restart> <application id> <input>
// <output> <records> [state directory: kept, else a temporary one is made and removed]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaPort, repartitionTopic } from '@hoot/streams';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { countingAggregatorTopology, EngineMetrics, StreamProcessor } from './engine-topology.ts';

const [phase, applicationId, input, output, records, stateDir] = process.argv.slice(2);
if (
  !['catch-up', 'restore', 'restart'].includes(phase ?? '') ||
  !applicationId ||
  !input ||
  !output ||
  !records
) {
  console.error(
    'usage: node bench/engine-run.ts <catch-up|restore|restart> <application id> <input> <output> <records> [state directory]',
  );
  process.exit(2);
}
const RECORDS = Number(records);
const COMMIT_INTERVAL_MS = Number(process.env.COMMIT_INTERVAL_MS ?? 100);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
const registry = new Registry();
const dir = stateDir ?? mkdtempSync(join(tmpdir(), 'hoot-bench-'));
const topology = countingAggregatorTopology(input, output);
const processor = new StreamProcessor({
  applicationId,
  topology,
  // HOOT_KAFKA_CLIENT: kafkajs (the default) or platformatic.
  port: createKafkaPort(process.env.HOOT_KAFKA_CLIENT, { brokers, clientId: applicationId, logger }),
  stateDir: dir,
  commitIntervalMs: COMMIT_INTERVAL_MS,
  commitMaxRecords: 20_000,
  metrics: new EngineMetrics(registry),
  logger,
});

/**
 * Records not yet committed by the application's group: of the input topic and of the repartition
 * topics, whose records the rekeyed part of the topology still has to process once the input's
 * offsets are committed.
 */
async function lag(): Promise<number> {
  const topics = [input!, ...topology.repartitions.map((name) => repartitionTopic(applicationId!, name))];
  const admin = kafka.admin();
  await admin.connect();
  let total = 0;
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: applicationId!, topics: [topic] });
    for (const end of ends) {
      const c = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      total += Number(end.high) - Math.max(0, c);
    }
  }
  await admin.disconnect();
  return total;
}

async function metricValues(name: string) {
  return (await registry.getSingleMetric(name)?.get())?.values ?? [];
}

const cpuBefore = process.cpuUsage();
const start = performance.now();
await processor.start();
let result: Record<string, number>;
if (phase === 'catch-up') {
  while ((await lag()) > 0) await new Promise((r) => setTimeout(r, 200));
  const seconds = (performance.now() - start) / 1000;
  const commits = await metricValues('hoot_engine_commit_duration_seconds');
  const count =
    commits.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))?.value ?? 0;
  const sum = commits.find((v) => (v as { metricName?: string }).metricName?.endsWith('_sum'))?.value ?? 0;
  result = {
    recordsPerSecond: RECORDS / seconds,
    seconds,
    commits: count,
    meanCommitMs: (sum / Math.max(1, count)) * 1000,
  };
} else if (phase === 'restart') {
  // Ready: the group has assigned every task and each has opened (its restore is the changelogs'
  // tail beyond the checkpoints, here nothing).
  const partitions = Number(process.env.PARTITIONS ?? 6);
  const open = async () => (await metricValues('hoot_engine_open_tasks')).reduce((n, v) => n + v.value, 0);
  while (!processor.ready || (await open()) < partitions) await new Promise((r) => setTimeout(r, 10));
  result = { readySeconds: (performance.now() - start) / 1000 };
} else {
  const restored = async () =>
    (await metricValues('hoot_engine_restored_records_total')).reduce((n, v) => n + v.value, 0);
  while (!processor.ready || (await restored()) === 0) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - start) / 1000;
  const n = await restored();
  result = { recordsPerSecond: n / seconds, seconds, restored: n };
}
const cpu = process.cpuUsage(cpuBefore);
await processor.stop();
if (stateDir === undefined) rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    ...result,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
