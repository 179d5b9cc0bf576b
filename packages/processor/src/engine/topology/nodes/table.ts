import type { StreamRecord } from '../stream-record.ts';
import type { NodeFactory } from '../topology.ts';

/** Keeps the latest value per key in a store that lookups of the same task read. */
export function tableNode(storeName: string): NodeFactory {
  return (context) => {
    const table = context.keyValueStore<unknown, unknown>(storeName);
    return {
      process(record: StreamRecord<unknown, unknown>) {
        table.put(record.key, record.value, record.timestamp);
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
