import { randomUUID } from 'node:crypto';
import { createBuiltinCatalog, Topics } from '@hoot/events';
import { type Workload, type WorkloadRecord, writeRecords } from '@hoot/workload';
import type { Kafka } from 'kafkajs';
import { openArchiveDatabase } from '../../src/query/archive-database.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { readTopic, summarise } from './topic-contents.ts';

/** The three archived topics and the view each is read through. */
export const ARCHIVED = [
  { topic: Topics.dispatch, view: 'dispatch' },
  { topic: Topics.ping, view: 'pings' },
  { topic: Topics.orders, view: 'orders' },
] as const;

export const uniqueGroup = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Writes the records of a workload phase with an ordinary producer; returns how many. */
export async function writePhase(kafka: Kafka, batches: Iterable<WorkloadRecord[]>): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    return await writeRecords(producer, createBuiltinCatalog(), batches);
  } finally {
    await producer.disconnect();
  }
}

/** Every record of the workload, as phases: main (dispatches and pings), then orders. */
export function* allRecords(workload: Workload): Iterable<WorkloadRecord[]> {
  yield* workload.main();
  yield* workload.orders();
}

/** Rows of a view with their Kafka position and the compared fields, read with DuckDB. */
export async function archivedRows(store: ObjectStore, view: string) {
  const database = await openArchiveDatabase(store);
  try {
    const { rows } = await database.query(
      `SELECT kafka_partition, kafka_offset, merchant, subscriber_id FROM ${view}`,
    );
    return rows;
  } finally {
    database.close();
  }
}

/** Total rows in the archive's views (complete and open files). */
export async function archivedCount(store: ObjectStore): Promise<number> {
  const database = await openArchiveDatabase(store);
  try {
    let total = 0;
    for (const { view } of ARCHIVED) {
      const { rows } = await database.query(`SELECT count(*)::INTEGER AS n FROM ${view}`);
      total += Number(rows[0]?.n ?? 0);
    }
    return total;
  } finally {
    database.close();
  }
}

/**
 * Compares the archive with the topics, per topic and partition: record count, first and last
 * offset and a checksum over (partition, offset, merchant, subscriber), and that no (partition,
 * offset) appears twice. Returns the differences (empty when equal) and the records compared.
 */
export async function compareWithTopics(
  kafka: Kafka,
  store: ObjectStore,
  /** Records of the topics not expected in the archive (an erased subscriber's). */
  excluded: (row: { merchant: unknown; subscriber_id: unknown }) => boolean = () => false,
): Promise<{ problems: string[]; records: number }> {
  const problems: string[] = [];
  let records = 0;
  for (const { topic, view } of ARCHIVED) {
    const truth = (await readTopic(kafka, topic)).filter((row) => !excluded(row));
    const rows = await archivedRows(store, view);
    records += truth.length;
    const positions = new Set<string>();
    for (const row of rows) {
      const position = `${row.kafka_partition}/${row.kafka_offset}`;
      if (positions.has(position)) problems.push(`${topic} ${position} archived twice`);
      positions.add(position);
    }
    const expected = summarise(truth);
    const actual = summarise(rows as never);
    for (const partition of new Set([...expected.keys(), ...actual.keys()])) {
      const e = expected.get(partition);
      const a = actual.get(partition);
      const show = (s: typeof e) =>
        s === undefined
          ? 'nothing'
          : `${s.count} records ${s.firstOffset}..${s.lastOffset} sum ${s.checksum}`;
      if (
        e?.count !== a?.count ||
        e?.firstOffset !== a?.firstOffset ||
        e?.lastOffset !== a?.lastOffset ||
        e?.checksum !== a?.checksum
      ) {
        problems.push(`${topic}[${partition}]: topic has ${show(e)}, archive ${show(a)}`);
      }
    }
  }
  return { problems, records };
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250) {
  const started = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
