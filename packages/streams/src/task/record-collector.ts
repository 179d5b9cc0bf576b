import type { OutgoingRecord } from '../port/kafka-port.ts';
import type { ChangelogWriter } from '../state/change-logging-store.ts';
import type { PendingRecord } from '../topology/task-context.ts';

/**
 * Everything a task will write in its next transaction: outputs (sinks, repartitions, dead
 * letters, processing log) in order, and each changelog's records in the order the store wrote
 * them. Changelog records are not coalesced here: the stores' caches already write each key once
 * per flush, a key written twice (a cache that filled up and flushed early, an entry written then
 * expired) is restored in order with the last write winning, and compaction drops the older.
 */
export class RecordCollector {
  readonly #partition: number;
  #outputs: PendingRecord[] = [];
  readonly #changelogs = new Map<string, OutgoingRecord[]>();

  constructor(partition: number) {
    this.#partition = partition;
  }

  send(record: PendingRecord): void {
    this.#outputs.push(record);
  }

  /** A writer for one store's changelog topic, on this task's partition. */
  changelogWriter(topic: string): ChangelogWriter {
    this.#changelogs.set(topic, []);
    const partition = this.#partition;
    const changelogs = this.#changelogs;
    return {
      write(key, value) {
        changelogs.get(topic)!.push({ topic, partition, key, value });
      },
    };
  }

  get size(): number {
    let n = this.#outputs.length;
    for (const records of this.#changelogs.values()) n += records.length;
    return n;
  }

  /** Takes everything collected, values serialized, leaving the collector empty. */
  async drain(): Promise<OutgoingRecord[]> {
    const outputs = this.#outputs;
    this.#outputs = [];
    // Values serialized synchronously are taken as they are; only promises are awaited.
    const records = new Array<OutgoingRecord>(outputs.length);
    let pending: Promise<void>[] | undefined;
    for (let i = 0; i < outputs.length; i++) {
      const r = outputs[i]!;
      if (r.value instanceof Promise) {
        pending ??= [];
        pending.push(
          r.value.then((value) => {
            records[i] = { ...r, value };
          }),
        );
      } else records[i] = r as OutgoingRecord;
    }
    if (pending !== undefined) await Promise.all(pending);
    for (const [topic, changelog] of this.#changelogs) {
      for (const record of changelog) records.push(record);
      this.#changelogs.set(topic, []);
    }
    return records;
  }

  /** Forgets everything: the task is rolling back. */
  clear(): void {
    this.#outputs = [];
    for (const topic of this.#changelogs.keys()) this.#changelogs.set(topic, []);
  }
}
