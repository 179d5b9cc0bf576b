// Kafka Streams on the engine benchmark's workload and topology, for comparison on one machine:
// the same pre-filled records (bench/engine-workload.ts), the same distinct + hourly count +
// totals topology (bench/kafka-streams/, a Java main), exactly-once v2, commit interval 100 ms,
// RocksDB stores, the JVM's default heap. Per run and thread count: catch-up from an empty state
// directory until the group's lag is zero, then that application's restore from its changelogs
// into a new empty state directory, each phase in a JVM of its own (CPU s per 1M records and peak
// RSS are its alone). Builds the jar with Maven when it is missing or older than its sources.
// Usage: node bench/kafka-streams.ts  (RECORDS, PARTITIONS, RUNS, THREADS env)
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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
const THREADS = (process.env.THREADS ?? '1,2').split(',').map(Number);
if (THREADS.some((n) => !Number.isInteger(n) || n < 1)) {
  throw new Error(`THREADS must list whole numbers: ${THREADS}`);
}
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const kafka = new Kafka({ clientId: 'bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const prefix = `bench-${randomUUID().slice(0, 8)}`;
const input = `${prefix}-input`;
const output = `${prefix}-output`;

const project = fileURLToPath(new URL('./kafka-streams/', import.meta.url));
const jar = join(project, 'target', 'kafka-streams-bench.jar');
const pom = join(project, 'pom.xml');
const sources = [
  pom,
  ...readdirSync(join(project, 'src'), { recursive: true, encoding: 'utf8' }).map((f) =>
    join(project, 'src', f),
  ),
];

/** Builds the jar unless it is newer than the pom and every file under src/. */
function buildJar(): void {
  const built = existsSync(jar) ? statSync(jar).mtimeMs : 0;
  if (sources.every((file) => statSync(file).mtimeMs < built)) return;
  // Quiet Maven prints only errors (and, Debian's 3.8, stray colour resets): shown on failure.
  const mvn = spawnSync('mvn', ['-q', '-B', 'package', '-DskipTests'], { cwd: project, encoding: 'utf8' });
  if (mvn.status !== 0) throw new Error(`mvn package failed in ${project}:\n${mvn.stdout}${mvn.stderr}`);
}

/** Runs one Kafka Streams phase in a JVM of its own; returns the JSON line it printed. */
function streamsPhase(
  phase: 'catch-up' | 'restore',
  applicationId: string,
  threads: number,
  stateDir: string,
): Promise<Record<string, number>> {
  return runJsonLineProcess(`kafka streams ${phase}`, 'java', [
    '-jar',
    jar,
    phase,
    brokers,
    applicationId,
    input,
    output,
    String(RECORDS),
    String(threads),
    stateDir,
  ]);
}

console.log(`machine: ${machineLine()}`);
buildJar();
const version = /<kafka\.version>([^<]+)</.exec(readFileSync(pom, 'utf8'))?.[1];
const java = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr; // java -version writes to stderr
console.log(
  `kafka streams ${version} on ${java.split('\n')[1]?.trim()}; records: ${RECORDS}, partitions: ${PARTITIONS}, ` +
    `runs: ${RUNS}, threads: ${THREADS.join(',')}, exactly_once_v2, commit interval: 100 ms`,
);
const prefillSeconds = await prefill(kafka, { input, output, records: RECORDS, partitions: PARTITIONS });
console.log(`prefill: ${RECORDS} records in ${prefillSeconds.toFixed(1)} s`);
const figures = new Map<string, number[]>();
const keep = (name: string, value: number) => figures.set(name, [...(figures.get(name) ?? []), value]);
const applications: string[] = [];

for (let run = 1; run <= RUNS; run++) {
  const line: string[] = [];
  let maxHeapMiB = 0;
  for (const threads of THREADS) {
    const applicationId = `${prefix}-ks-${run}-t${threads}`;
    applications.push(applicationId);
    const dir = mkdtempSync(join(tmpdir(), 'hoot-bench-ks-'));
    const c = await streamsPhase('catch-up', applicationId, threads, dir);
    rmSync(dir, { recursive: true, force: true });
    const empty = mkdtempSync(join(tmpdir(), 'hoot-bench-ks-'));
    const r = await streamsPhase('restore', applicationId, threads, empty);
    rmSync(empty, { recursive: true, force: true });
    maxHeapMiB = c.maxHeapMiB!;
    const cpuPerMillion = (c.cpuSeconds! / RECORDS) * 1e6;
    keep(`catchUp${threads}`, c.recordsPerSecond!);
    keep(`catchUpCpu${threads}`, cpuPerMillion);
    keep(`catchUpRss${threads}`, c.peakRssMiB!);
    keep(`restore${threads}`, r.recordsPerSecond!);
    keep(`restoreRss${threads}`, r.peakRssMiB!);
    line.push(
      `kafka streams catch-up with ${threads} thread(s) ${Math.round(c.recordsPerSecond!)} records/s, ` +
        `${cpuPerMillion.toFixed(1)} CPU s per 1M records, peak RSS ${Math.round(c.peakRssMiB!)} MiB; ` +
        `restore ${Math.round(r.recordsPerSecond!)} records/s (${r.restored} changelog records in ` +
        `${r.restoreSeconds!.toFixed(1)} s, running after ${r.seconds!.toFixed(1)} s), peak RSS ${Math.round(r.peakRssMiB!)} MiB`,
    );
  }
  console.log(`run ${run}: ${line.join('; ')}; JVM default max heap ${Math.round(maxHeapMiB)} MiB`);
}
const m = (name: string) => median(figures.get(name)!);
console.log(
  `median of ${RUNS}: ` +
    THREADS.map(
      (n) =>
        `kafka streams catch-up with ${n} thread(s) ${Math.round(m(`catchUp${n}`))} records/s, ` +
        `${m(`catchUpCpu${n}`).toFixed(1)} CPU s per 1M records, peak RSS ${Math.round(m(`catchUpRss${n}`))} MiB; ` +
        `restore ${Math.round(m(`restore${n}`))} records/s, peak RSS ${Math.round(m(`restoreRss${n}`))} MiB`,
    ).join('; '),
);
const admin = kafka.admin();
await admin.connect();
await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)) });
await admin.deleteGroups(applications);
await admin.disconnect();
