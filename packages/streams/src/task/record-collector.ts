import type { OutgoingRecord } from '../port/kafka-port.ts';
import type { ChangelogWriter } from '../state/change-logging-store.ts';
import type { PendingRecord } from '../topology/task-context.ts';

/**
 * Everything a task will write in its next transaction: outputs (sinks, repartitions, dead
 * letters, processing log) in order, and changelog records coalesced to the last write per key.
 */
export class RecordCollector {
  readonly #partition: number;
  #outputs: PendingRecord[] = [];
  readonly #changelogs = new Map<string, Map<string, { key: Buffer; value: Buffer | null }>>();

  constructor(partition: number) {
    this.#partition = partition;
  }

  send(record: PendingRecord): void {
    this.#outputs.push(record);
  }

  /** A writer for one store's changelog topic, on this task's partition. */
  changelogWriter(topic: string): ChangelogWriter {
    const byKey = new Map<string, { key: Buffer; value: Buffer | null }>();
    this.#changelogs.set(topic, byKey);
    return {
      write(key, value) {
        byKey.set(key.toString('latin1'), { key, value });
      },
    };
  }

  get size(): number {
    let n = this.#outputs.length;
    for (const byKey of this.#changelogs.values()) n += byKey.size;
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
    for (const [topic, byKey] of this.#changelogs) {
      for (const { key, value } of byKey.values())
        records.push({ topic, partition: this.#partition, key, value });
      byKey.clear();
    }
    return records;
  }

  /** Forgets everything: the task is rolling back. */
  clear(): void {
    this.#outputs = [];
    for (const byKey of this.#changelogs.values()) byKey.clear();
  }
}
