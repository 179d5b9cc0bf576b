// Engine benchmark: catch-up throughput of one processor on a pre-filled topic, restore throughput
// from changelogs into an empty state directory (each in a process of its own: CPU s per 1M
// records and peak RSS are the engine's alone), and the raw kafkajs consume rate of the same
// topic as the ceiling. With INSTANCES "1,2" each run also catches up with two engine processes in
// one consumer group, the engine's way to use more cores (Kafka Streams' is more stream threads):
// records/s over the slower instance's time, CPU summed, peak RSS of the larger instance.
// Engine processes run with ENGINE_NODE_FLAGS (default: the V8 heap the processor service runs
// with, the Dockerfile's --max-semi-space-size=16 and the --heap-growing-percent=200 its main sets).
// Usage: node bench/engine-throughput.ts  (RECORDS, PARTITIONS, RUNS, INSTANCES, ENGINE_NODE_FLAGS env)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { prefill } from './engine-workload.ts';
import { runJsonLineProcess } from './json-line-process.ts';
import { machineLine, median } from './machine.ts';

const RECORDS = Number(process.env.RECORDS ?? 2_000_000);
const PARTITIONS = Number(process.env.PARTITIONS ?? 6);
const RUNS = Number(process.env.RUNS ?? 3);
const INSTANCES = (process.env.INSTANCES ?? '1,2').split(',').map(Number);
if (!INSTANCES.includes(1) || INSTANCES.some((n) => !Number.isInteger(n) || n < 1)) {
  throw new Error(`INSTANCES must list whole numbers including 1 (restore and restart use it): ${INSTANCES}`);
}
const COMMIT_INTERVAL_MS = Number(process.env.COMMIT_INTERVAL_MS ?? 100);
const ENGINE_NODE_FLAGS = (
  process.env.ENGINE_NODE_FLAGS ?? '--max-semi-space-size=16 --heap-growing-percent=200'
)
  .split(' ')
  .filter(Boolean);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
const prefix = `bench-${randomUUID().slice(0, 8)}`;
const input = `${prefix}-input`;
const output = `${prefix}-output`;

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

/** Runs one engine phase in a child process (bench/engine-run.ts); returns what it printed. */
function enginePhase(
  phase: 'catch-up' | 'restore' | 'restart',
  applicationId: string,
  stateDir: string,
): Promise<Record<string, number>> {
  return runJsonLineProcess(`engine ${phase}`, process.execPath, [
    ...ENGINE_NODE_FLAGS,
    fileURLToPath(new URL('./engine-run.ts', import.meta.url)),
    phase,
    applicationId,
    input,
    output,
    String(RECORDS),
    stateDir,
  ]);
}

console.log(`machine: ${machineLine()}`);
console.log(
  `records: ${RECORDS}, partitions: ${PARTITIONS}, runs: ${RUNS}, commit interval: ${COMMIT_INTERVAL_MS} ms, engine node flags: ${ENGINE_NODE_FLAGS.join(' ') || 'none'}`,
);
const prefillSeconds = await prefill(kafka, { input, output, records: RECORDS, partitions: PARTITIONS });
console.log(`prefill: ${RECORDS} records in ${prefillSeconds.toFixed(1)} s`);
const figures = new Map<string, number[]>();
const keep = (name: string, value: number) => figures.set(name, [...(figures.get(name) ?? []), value]);
/** Catch-up by `instances` engine processes in one group, each with a state directory of its own. */
async function catchUp(applicationId: string, instances: number, dirs: string[]) {
  const results = await Promise.all(dirs.map((dir) => enginePhase('catch-up', applicationId, dir)));
  const seconds = Math.max(...results.map((r) => r.seconds!));
  const cpu = results.reduce((sum, r) => sum + r.cpuSeconds!, 0);
  return {
    instances,
    recordsPerSecond: RECORDS / seconds,
    cpuPerMillion: (cpu / RECORDS) * 1e6,
    peakRssMiB: Math.max(...results.map((r) => r.peakRssMiB!)),
    commits: results.reduce((sum, r) => sum + r.commits!, 0),
    meanCommitMs: results.reduce((sum, r) => sum + r.meanCommitMs!, 0) / results.length,
  };
}

for (let run = 1; run <= RUNS; run++) {
  const raw = await rawConsume();
  keep('raw', raw);
  const line = [`run ${run}: raw kafkajs consume ${Math.round(raw)} records/s`];
  for (const instances of INSTANCES) {
    const applicationId = `${prefix}-app-${run}-x${instances}`;
    const kept = Array.from({ length: instances }, () => mkdtempSync(join(tmpdir(), 'hoot-bench-')));
    const c = await catchUp(applicationId, instances, kept);
    keep(`catchUp${instances}`, c.recordsPerSecond);
    keep(`catchUpCpu${instances}`, c.cpuPerMillion);
    keep(`catchUpRss${instances}`, c.peakRssMiB);
    line.push(
      `engine catch-up with ${instances} instance(s) ${Math.round(c.recordsPerSecond)} records/s, ` +
        `${c.cpuPerMillion.toFixed(1)} CPU s per 1M records, peak RSS ${Math.round(c.peakRssMiB)} MiB per instance, ` +
        `${c.commits} commits of ${c.meanCommitMs.toFixed(1)} ms on average`,
    );
    if (instances === 1) {
      const empty = mkdtempSync(join(tmpdir(), 'hoot-bench-'));
      const restart = await enginePhase('restart', applicationId, kept[0]!);
      const r = await enginePhase('restore', applicationId, empty);
      rmSync(empty, { recursive: true, force: true });
      keep('restart', restart.readySeconds!);
      keep('restore', r.recordsPerSecond!);
      keep('restoreRss', r.peakRssMiB!);
      line.push(
        `restore ${Math.round(r.recordsPerSecond!)} records/s (${r.restored} changelog records), peak RSS ${Math.round(r.peakRssMiB!)} MiB; ` +
          `restart on the kept state directory ready in ${restart.readySeconds!.toFixed(2)} s`,
      );
    }
    for (const dir of kept) rmSync(dir, { recursive: true, force: true });
  }
  console.log(line.join('; '));
}
const m = (name: string) => median(figures.get(name)!);
console.log(
  [
    `median of ${RUNS}: raw kafkajs consume ${Math.round(m('raw'))} records/s`,
    ...INSTANCES.map(
      (n) =>
        `engine catch-up with ${n} instance(s) ${Math.round(m(`catchUp${n}`))} records/s, ` +
        `${m(`catchUpCpu${n}`).toFixed(1)} CPU s per 1M records, peak RSS ${Math.round(m(`catchUpRss${n}`))} MiB per instance`,
    ),
    `restore ${Math.round(m('restore'))} records/s, peak RSS ${Math.round(m('restoreRss'))} MiB`,
    `restart ready in ${m('restart').toFixed(2)} s`,
  ].join('; '),
);
const admin = kafka.admin();
await admin.connect();
await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)) });
await admin.disconnect();
