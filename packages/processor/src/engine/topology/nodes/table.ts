import type { StreamRecord } from '../stream-record.ts';
import type { NodeFactory } from '../topology.ts';

/**
 * Keeps the latest value per key by event time in a store that lookups of the same task read.
 * By event time, not arrival: records of one key may arrive by two paths (directly and through a
 * repartition topic) and so out of order.
 */
export function tableNode(storeName: string): NodeFactory {
  return (context) => {
    const table = context.keyValueStore<unknown, unknown>(storeName);
    return {
      process(record: StreamRecord<unknown, unknown>) {
        const current = table.getEntry(record.key);
        if (current === undefined || current.timestamp <= record.timestamp) {
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
