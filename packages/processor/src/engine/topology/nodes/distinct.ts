import type { StreamRecord } from '../stream-record.ts';
import type { NodeFactory } from '../topology.ts';

/**
 * Lets through the first record per (key, id) and drops later ones as duplicates. Seen ids are
 * kept in a store and expire `horizonMs` of stream time after they were first seen.
 */
export function distinctNode(storeName: string, idOf: (value: unknown, key: unknown) => string): NodeFactory {
  return (context, forward) => {
    const seen = context.keyValueStore<string, number>(storeName);
    return {
      process(record: StreamRecord<unknown, unknown>) {
        const id = `${String(record.key)}\u001f${idOf(record.value, record.key)}`;
        if (seen.has(id)) {
          context.countDuplicate(storeName);
          return;
        }
        seen.put(id, 1, record.timestamp);
        forward(record);
      },
    };
  };
}
