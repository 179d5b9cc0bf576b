// Archive benchmark. Throughput: the archiver (in-process, local directory, the service's default
// limits) on a topic of RECORDS realistic ~1 KB dispatch events beside the raw kafkajs consume
// rate of the same topic, with CPU time, peak RSS and the compression ratio. Lookups: the
// notification log's one-subscriber page over an archive of NOTIFICATIONS notifications (a week,
// with pings), p50/p90/p99/max, plus a campaign's and a merchant's first page.
// Usage: node bench/archive.ts   (RECORDS, RUNS, SPAN_HOURS, NOTIFICATIONS, LOOKUPS, PARTS env)
import {
  createArchiveQueryEngine,
  createLocalStore,
  loadArchiverConfig,
  type RotationLimits,
} from '@hoot/archiver';
import { Topics } from '@hoot/events';
import { Random } from '@hoot/workload';
import { Kafka, logLevel } from 'kafkajs';
import { archiveSize, type LookupArchive, lookupArchive, type Timed, timedLookup } from './archive-lookup.ts';
import {
  type ArchiveResult,
  archiveTopic,
  benchTopic,
  type RawResult,
  rawConsume,
} from './archive-throughput.ts';
import { machineLine, median } from './machine.ts';

const RECORDS = Number(process.env.RECORDS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
/** Hours the topic's Kafka timestamps span: files are cut by the hour, as in production. */
const SPAN_HOURS = Number(process.env.SPAN_HOURS ?? 6);
const NOTIFICATIONS = Number(process.env.NOTIFICATIONS ?? 10_000_000);
const LOOKUPS = Number(process.env.LOOKUPS ?? 200);
const WARM_UPS = 5;
const CONTEXT_QUERIES = 5;
const PARTS = new Set((process.env.PARTS ?? 'throughput,lookup').split(','));
const PARTITIONS = 6;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const config = loadArchiverConfig(process.env);
const limits: RotationLimits = {
  maxRecords: config.ARCHIVE_FILE_MAX_RECORDS,
  maxBytes: config.ARCHIVE_FILE_MAX_BYTES,
};

const MB = 1e6;
const MiB = 2 ** 20;
const rate = (n: number, seconds: number) => Math.round(n / seconds);
const mbps = (bytes: number, seconds: number) => (bytes / MB / seconds).toFixed(1);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
}

function describeRun(run: number, raw: RawResult, a: ArchiveResult): string {
  return [
    `run ${run}: raw consume ${rate(RECORDS, raw.seconds)} records/s, ${mbps(raw.valueBytes, raw.seconds)} MB/s`,
    `(${raw.seconds.toFixed(1)} s, cpu ${raw.cpuSeconds.toFixed(1)} s);`,
    `archiver ${rate(RECORDS, a.takenSeconds)} records/s, ${mbps(a.valueBytes, a.takenSeconds)} MB/s to every record taken`,
    `(${a.takenSeconds.toFixed(1)} s, cpu ${a.takenCpuSeconds.toFixed(1)} s),`,
    `${rate(RECORDS, a.stoppedSeconds)} records/s to stopped with every file complete`,
    `(${a.stoppedSeconds.toFixed(1)} s, cpu ${a.stoppedCpuSeconds.toFixed(1)} s);`,
    `peak RSS ${Math.round(a.peakRssBytes / MiB)} MiB; ${a.files} files, ${(a.parquetBytes / MB).toFixed(1)} MB,`,
    `compression ${(a.valueBytes / a.parquetBytes).toFixed(1)}x;`,
    `archive/raw ${((100 * raw.seconds) / a.takenSeconds).toFixed(0)}%`,
  ].join(' ');
}

async function throughput(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-archive', brokers, logLevel: logLevel.NOTHING });
  const topic = await benchTopic(kafka, RECORDS, PARTITIONS, SPAN_HOURS);
  console.log(
    `topic ${topic.name}: ${topic.records} dispatch events over ${SPAN_HOURS} h, by partition ${topic.byPartition.join('/')}, ` +
      (topic.producedSeconds === undefined
        ? 'reused from an earlier run'
        : `written in ${topic.producedSeconds.toFixed(1)} s`),
  );
  const raws: RawResult[] = [];
  const archives: ArchiveResult[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const raw = await rawConsume(kafka, topic);
    const archived = await archiveTopic(kafka, topic, config);
    if (archived.archivedRecords !== RECORDS) {
      throw new Error(`run ${run}: ${archived.archivedRecords} records archived, not ${RECORDS}`);
    }
    raws.push(raw);
    archives.push(archived);
    if (run === 1) {
      console.log(
        `value bytes: ${(raw.valueBytes / MB).toFixed(1)} MB, ${Math.round(raw.valueBytes / RECORDS)} bytes per record on average`,
      );
    }
    console.log(describeRun(run, raw, archived));
  }
  const rawRate = median(raws.map((r) => RECORDS / r.seconds));
  const takenRate = median(archives.map((a) => RECORDS / a.takenSeconds));
  const stoppedRate = median(archives.map((a) => RECORDS / a.stoppedSeconds));
  const bytesPerRecord = (raws[0] as RawResult).valueBytes / RECORDS;
  console.log(
    [
      `median of ${RUNS}: raw consume ${Math.round(rawRate)} records/s, ${((rawRate * bytesPerRecord) / MB).toFixed(1)} MB/s;`,
      `archiver ${Math.round(takenRate)} records/s, ${((takenRate * bytesPerRecord) / MB).toFixed(1)} MB/s to every record taken,`,
      `${Math.round(stoppedRate)} records/s, ${((stoppedRate * bytesPerRecord) / MB).toFixed(1)} MB/s to stopped;`,
      `archive/raw ${((100 * takenRate) / rawRate).toFixed(0)}% (goal: at least 50%), to stopped ${((100 * stoppedRate) / rawRate).toFixed(0)}%;`,
      `cpu ${median(archives.map((a) => a.stoppedCpuSeconds)).toFixed(1)} s (${((1e6 * median(archives.map((a) => a.stoppedCpuSeconds))) / RECORDS).toFixed(1)} µs per record);`,
      `peak RSS ${Math.round(median(archives.map((a) => a.peakRssBytes)) / MiB)} MiB;`,
      `compression ${median(archives.map((a) => a.valueBytes / a.parquetBytes)).toFixed(1)}x`,
    ].join(' '),
  );
}

function summary(label: string, timings: Timed[]): string {
  const sorted = timings.map((t) => t.ms).sort((a, b) => a - b);
  const rows = timings.reduce((n, t) => n + t.rows, 0) / timings.length;
  return (
    `${label}: p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p90 ${percentile(sorted, 0.9).toFixed(0)} ms, ` +
    `p99 ${percentile(sorted, 0.99).toFixed(0)} ms, max ${(sorted.at(-1) as number).toFixed(0)} ms ` +
    `(${timings.length} queries, ${rows.toFixed(1)} rows a page on average)`
  );
}

async function lookups(): Promise<void> {
  const archive: LookupArchive & { reused: boolean } = await lookupArchive(NOTIFICATIONS, limits);
  const store = createLocalStore(archive.dir);
  const dispatch = await archiveSize(store, Topics.dispatch);
  const pings = await archiveSize(store, Topics.ping);
  console.log(
    `archive ${archive.dir} (${archive.reused ? 'reused from an earlier run' : `built in ${archive.buildSeconds.toFixed(0)} s`}): ` +
      `${archive.notifications} notifications of ${archive.campaigns} campaigns of ${archive.merchants} merchants to ` +
      `${archive.subscribers} subscribers over ${new Date(archive.startMs).toISOString()} … ${new Date(archive.endMs).toISOString()}, ` +
      `${archive.pings} pings; dispatch ${dispatch.files} files, ${(dispatch.bytes / MB).toFixed(0)} MB; ` +
      `pings ${pings.files} files, ${(pings.bytes / MB).toFixed(0)} MB`,
  );
  const r = new Random(7);
  const pair = () => {
    const p = r.pick(archive.sample);
    return { merchant: p.merchant, subscriberId: p.subscriber };
  };
  // As the api: one query engine (its Parquet footer cache shared by every lookup). The first
  // lookup lists every file, computes its etag (MD5) and reads its footer: an api just started.
  const engine = await createArchiveQueryEngine(store);
  const cold = await timedLookup(engine, archive, pair());
  console.log(
    `first lookup of a fresh store and query engine (etags and footers of every file read): ${cold.ms.toFixed(0)} ms`,
  );
  for (let i = 0; i < WARM_UPS; i++) await timedLookup(engine, archive, pair());
  const timings: Timed[] = [];
  for (let i = 0; i < LOOKUPS; i++) timings.push(await timedLookup(engine, archive, pair()));
  const empty = timings.filter((t) => t.rows === 0).length;
  if (empty > 0) throw new Error(`${empty} lookups of existing subscribers found nothing`);
  console.log(summary('one-subscriber lookup (limit 50, 7 days)', timings));
  const { merchant, campaign, notifications } = archive.largestCampaign;
  const campaignTimings: Timed[] = [];
  const merchantTimings: Timed[] = [];
  for (let i = 0; i < CONTEXT_QUERIES; i++) {
    campaignTimings.push(await timedLookup(engine, archive, { merchant, campaignId: campaign }));
    merchantTimings.push(await timedLookup(engine, archive, { merchant }));
  }
  const med = (t: Timed[]) => median(t.map((x) => x.ms)).toFixed(0);
  console.log(
    `largest merchant ${merchant} (${archive.largestMerchant.notifications} notifications): ` +
      `campaign ${campaign} (${notifications} notifications) first page median ${med(campaignTimings)} ms; ` +
      `merchant-wide first page median ${med(merchantTimings)} ms (${CONTEXT_QUERIES} queries each)`,
  );
  engine.close();
  await store.close();
}

console.log(`machine: ${machineLine()}`);
console.log(
  `sizes: RECORDS ${RECORDS}, RUNS ${RUNS}, SPAN_HOURS ${SPAN_HOURS}, partitions ${PARTITIONS}, NOTIFICATIONS ${NOTIFICATIONS}, ` +
    `LOOKUPS ${LOOKUPS}; archive files cut at ${limits.maxRecords} records or ${limits.maxBytes / MiB} MiB of values or the hour, ` +
    `open files written every ${config.ARCHIVE_OPEN_FILE_WRITE_MS} ms`,
);
if (PARTS.has('throughput')) await throughput();
if (PARTS.has('lookup')) await lookups();
