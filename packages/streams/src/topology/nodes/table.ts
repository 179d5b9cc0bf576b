import type { StreamRecord } from '../stream-record.ts';
import type { NodeFactory } from '../topology.ts';

/** Folds a record into the entry a table holds for its key; the record's time is its event time. */
export type TableMerge = (
  current: unknown,
  currentTime: number,
  incoming: unknown,
  incomingTime: number,
) => unknown;

/**
 * Keeps a value per key in a store that lookups of the same task read: by default the latest by
 * event time, not arrival, since records of one key may arrive by two paths (directly and through
 * a repartition topic) and so out of order. With `merge`, the entry is whatever merge makes of the
 * current entry and each record, stamped with the later of their times.
 */
export function tableNode(storeName: string, merge: TableMerge | undefined): NodeFactory {
  return (context) => {
    const table = context.keyValueStore<unknown, unknown>(storeName);
    return {
      process(record: StreamRecord<unknown, unknown>) {
        const current = table.getEntry(record.key);
        if (merge !== undefined) {
          const value =
            current === undefined
              ? merge(undefined, record.timestamp, record.value, record.timestamp)
              : merge(current.value, current.timestamp, record.value, record.timestamp);
          table.put(record.key, value, Math.max(current?.timestamp ?? record.timestamp, record.timestamp));
        } else if (current === undefined || current.timestamp <= record.timestamp) {
          table.put(record.key, record.value, record.timestamp);
        }
      },
    };
  };
}

/** Enriches each record with the table entry under a key it names; `join` may drop it (undefined). */
export function lookupNode(
  storeName: string,
  keyOf: (value: unknown, key: unknown) => unknown,
  join: (value: unknown, found: unknown, key: unknown) => unknown,
): NodeFactory {
  return (context, forward) => {
    const table = context.keyValueStore<unknown, unknown>(storeName);
    return {
      process(record: StreamRecord<unknown, unknown>) {
        const joined = join(record.value, table.get(keyOf(record.value, record.key)), record.key);
        if (joined !== undefined) forward({ ...record, value: joined });
      },
    };
  };
}
