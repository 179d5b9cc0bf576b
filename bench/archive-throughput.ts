// Archive throughput: a topic of realistic dispatch events (made once, kept on the broker and reused
// by later runs of the same size), the raw kafkajs consume rate of that topic, and the archiver
// started in-process on it with a fresh local directory and group.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ArchiverConfig,
  createArchiverMetrics,
  createLocalStore,
  type ObjectStore,
  startArchiver,
} from '@hoot/archiver';
import {
  createAvroSerde,
  createBuiltinCatalog,
  type Dispatch,
  dispatchSchema,
  valueSubject,
} from '@hoot/events';
import { javaCompatiblePartitioner } from '@hoot/kafka';
import { Random } from '@hoot/workload';
import type { Kafka, Message } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  type BenchMerchant,
  benchMerchants,
  dispatchEvent,
  newSend,
  type Send,
  subscriberOf,
} from './archive-events.ts';

/** What the archiver's consumer fetches per partition (writer/archiver.ts); the raw consumer does the same. */
export const ARCHIVER_MAX_BYTES_PER_PARTITION = 4 * 1024 * 1024;
/** The archiver's consumer handles two partitions at a time per topic; the raw consumer does the same. */
const PARTITIONS_CONSUMED_CONCURRENTLY = 2;
/** Messages per produce request: under the broker's 1 MB batch limit even when all share a partition. */
const PRODUCE_CHUNK = 600;
/** Sends of different campaigns dispatched at the same time, interleaved in the topic. */
const CONCURRENT_SENDS = 8;
const HOUR = 3_600_000;

const logger = pino({ level: 'warn' });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

export interface BenchTopic {
  name: string;
  records: number;
  byPartition: number[];
  /** Seconds spent writing it; undefined when an earlier run's topic was reused. */
  producedSeconds: number | undefined;
}

/**
 * N dispatch events of CONCURRENT_SENDS interleaved sends at a time, each send one campaign of a
 * merchant picked uniformly to 30–100% of its subscribers (so volume follows merchant size), with
 * Kafka timestamps spread evenly over `spanMs` from `startMs`.
 */
function* dispatchStream(records: number, startMs: number, spanMs: number, partitions: number) {
  const r = new Random(20_261_101);
  const merchants: BenchMerchant[] = benchMerchants(7, 300, 2_000_000);
  let campaignId = 500_000;
  const start = (): { send: Send; next: number } => {
    const merchant = r.pick(merchants);
    const audience = Math.round(merchant.subscribers * (0.3 + 0.7 * r.next()));
    return { send: newSend(r, merchant, ++campaignId, audience, partitions), next: 0 };
  };
  const active = Array.from({ length: CONCURRENT_SENDS }, start);
  for (let n = 0; n < records; n++) {
    const slot = r.int(0, active.length - 1);
    let current = active[slot] as { send: Send; next: number };
    if (current.next >= current.send.audience) {
      current = start();
      active[slot] = current;
    }
    const timestamp = startMs + Math.floor((n * spanMs) / records);
    const value: Dispatch = dispatchEvent(
      r,
      current.send,
      subscriberOf(current.send, current.next++),
      timestamp - r.int(20, 400),
    );
    yield { key: current.send.key, value, timestamp };
  }
}

async function topicRecords(kafka: Kafka, topic: string): Promise<number[] | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high) - Number(o.low));
  } finally {
    await admin.disconnect();
  }
}

/**
 * The benchmark's topic of `records` dispatch events over `spanHours`: reused when a topic of that
 * name holds exactly that many records (retention has removed none), else written anew.
 */
export async function benchTopic(
  kafka: Kafka,
  records: number,
  partitions: number,
  spanHours: number,
): Promise<BenchTopic> {
  const name = `bench-archive-dispatch-v1-${records}-${partitions}p-${spanHours}h`;
  const existing = await topicRecords(kafka, name);
  const total = existing?.reduce((a, b) => a + b, 0);
  if (existing !== undefined && total === records && existing.length === partitions) {
    return { name, records, byPartition: existing, producedSeconds: undefined };
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (existing !== undefined) {
      await admin.deleteTopics({ topics: [name] });
      while ((await admin.listTopics()).includes(name)) await sleep(500);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic: name, numPartitions: partitions }],
        });
        break;
      } catch (error) {
        if (attempt >= 20) throw error; // still being deleted
        await sleep(1000);
      }
    }
  } finally {
    await admin.disconnect();
  }
  const serde = createAvroSerde<Dispatch>({
    registry: createBuiltinCatalog(),
    subject: valueSubject(name),
    schema: dispatchSchema,
  });
  const producer = kafka.producer({ idempotent: true, createPartitioner: javaCompatiblePartitioner });
  await producer.connect();
  const started = performance.now();
  const spanMs = spanHours * HOUR;
  const startMs = Math.floor((Date.now() - spanMs) / HOUR) * HOUR;
  let chunk: Message[] = [];
  for (const record of dispatchStream(records, startMs, spanMs, partitions)) {
    chunk.push({
      key: record.key,
      value: await serde.encode(record.value),
      timestamp: String(record.timestamp),
    });
    if (chunk.length >= PRODUCE_CHUNK) {
      await producer.send({ topic: name, acks: -1, messages: chunk });
      chunk = [];
    }
  }
  if (chunk.length > 0) await producer.send({ topic: name, acks: -1, messages: chunk });
  await producer.disconnect();
  const producedSeconds = (performance.now() - started) / 1000;
  const byPartition = (await topicRecords(kafka, name)) ?? [];
  if (byPartition.reduce((a, b) => a + b, 0) !== records) throw new Error(`topic ${name} is not complete`);
  return { name, records, byPartition, producedSeconds };
}

async function deleteGroupsAndTopics(kafka: Kafka, groups: string[], topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups(groups).catch(() => undefined);
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((t) => existing.has(t));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
  } finally {
    await admin.disconnect();
  }
}

export interface RawResult {
  seconds: number;
  valueBytes: number;
  cpuSeconds: number;
}

/**
 * Reads every record of the topic with a kafkajs consumer of a new group, from the beginning,
 * read_committed, fetching as the archiver's consumer fetches, without decoding: the ceiling.
 * Timed from connecting, as the archiver is timed from its start (both join a group).
 */
export async function rawConsume(kafka: Kafka, topic: BenchTopic): Promise<RawResult> {
  const groupId = `bench-archive-raw-${randomUUID().slice(0, 8)}`;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxBytesPerPartition: ARCHIVER_MAX_BYTES_PER_PARTITION,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: topic.name, fromBeginning: true });
  let seen = 0;
  let valueBytes = 0;
  await new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) valueBytes += message.value?.length ?? 0;
        seen += batch.messages.length;
        if (seen >= topic.records) resolve();
      },
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuUsed = cpuSeconds(process.cpuUsage(cpu));
  await consumer.disconnect();
  await deleteGroupsAndTopics(kafka, [groupId], []);
  return { seconds, valueBytes, cpuSeconds: cpuUsed };
}

export interface ArchiveResult {
  /** From start until every record is in a complete file or in a file being filled. */
  takenSeconds: number;
  takenCpuSeconds: number;
  /** From start until, stopped, every record is in a complete file (durable; its offset committed next). */
  stoppedSeconds: number;
  stoppedCpuSeconds: number;
  peakRssBytes: number;
  archivedRecords: number;
  valueBytes: number;
  files: number;
  parquetBytes: number;
}

/**
 * The store, counting deletes in flight. The archiver adds a complete file's records to
 * hoot_archiver_records_total before deleting the file's open copy, and takes them off
 * hoot_archiver_open_records after: in between they count twice. Only with no delete in flight
 * (the rest of that path runs in one go of microtasks) is records + open records exact.
 */
function countingDeletes(store: ObjectStore): { store: ObjectStore; inFlight: () => number } {
  let deletes = 0;
  return {
    store: {
      ...store,
      url: store.url,
      async delete(keys) {
        deletes++;
        try {
          await store.delete(keys);
        } finally {
          deletes--;
        }
      },
    },
    inFlight: () => deletes,
  };
}

async function sum(metric: { get(): Promise<{ values: Array<{ value: number }> }> }): Promise<number> {
  return (await metric.get()).values.reduce((n, v) => n + v.value, 0);
}

/**
 * Runs the archiver on the topic with a fresh directory and group, as the service runs it (the
 * configuration's limits and open-file interval), until it holds every record, then stops it.
 */
export async function archiveTopic(
  kafka: Kafka,
  topic: BenchTopic,
  config: ArchiverConfig,
): Promise<ArchiveResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hoot-bench-archive-'));
  const { store, inFlight } = countingDeletes(createLocalStore(dir));
  const metrics = createArchiverMetrics(new Registry());
  const groupId = `bench-archive-${randomUUID().slice(0, 8)}`;
  let crash: Error | undefined;
  let peakRssBytes = process.memoryUsage.rss();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const archiver = await startArchiver({
    kafka,
    store,
    topics: [topic.name],
    groupId,
    limits: { maxRecords: config.ARCHIVE_FILE_MAX_RECORDS, maxBytes: config.ARCHIVE_FILE_MAX_BYTES },
    openFileWriteMs: config.ARCHIVE_OPEN_FILE_WRITE_MS,
    registry: createBuiltinCatalog(),
    metrics,
    logger,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    onCrash: (error) => {
      crash = error;
    },
    schemas: { [topic.name]: dispatchSchema },
  });
  try {
    for (;;) {
      await sleep(20);
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
      if (crash !== undefined) throw crash;
      if (inFlight() > 0) continue;
      if ((await sum(metrics.records)) + (await sum(metrics.openRecords)) >= topic.records) break;
    }
  } catch (error) {
    await archiver.stop();
    throw error;
  }
  const takenSeconds = (performance.now() - started) / 1000;
  const takenCpuSeconds = cpuSeconds(process.cpuUsage(cpu));
  // Stopping completes the files being filled; the consumer's disconnect after that waits out its
  // fetch (up to 5 s), which is not archiving work: timed to the last file complete instead.
  let stopped = false;
  const stopping = archiver.stop().finally(() => {
    stopped = true;
  });
  while (!stopped && (await sum(metrics.records)) < topic.records) await sleep(5);
  const stoppedSeconds = (performance.now() - started) / 1000;
  const stoppedCpuSeconds = cpuSeconds(process.cpuUsage(cpu));
  await stopping;
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  let files = 0;
  let parquetBytes = 0;
  for await (const object of store.list('topic=')) {
    files++;
    parquetBytes += object.size;
  }
  const result = {
    takenSeconds,
    takenCpuSeconds,
    stoppedSeconds,
    stoppedCpuSeconds,
    peakRssBytes,
    archivedRecords: await sum(metrics.records),
    valueBytes: await sum(metrics.valueBytes),
    files,
    parquetBytes,
  };
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  await deleteGroupsAndTopics(kafka, [groupId], [`${groupId}-dead-letter`]);
  return result;
}
