import { type TumblingWindows, windowFor } from '../../windows/tumbling.ts';
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

/**
 * Counts each (key, id) once, at the earliest event time any of its records carries, whatever
 * order they arrive in. The first record passes; a later one with an earlier time moves it: the
 * node forwards `retract(value)` at the time that was counted, then the record itself. A later one
 * that is not earlier is a duplicate. Placed after windowBy, so late records never get here, and a
 * retraction's window (later than the new record's) is still open.
 */
export function earliestDistinctNode(
  storeName: string,
  idOf: (value: unknown, key: unknown) => string,
  retract: (value: unknown) => unknown,
  windows: TumblingWindows | undefined,
): NodeFactory {
  return (context, forward) => {
    const seen = context.keyValueStore<string, number>(storeName);
    return {
      process(record: StreamRecord<unknown, unknown>) {
        const id = `${String(record.key)}\u001f${idOf(record.value, record.key)}`;
        const counted = seen.getEntry(id);
        if (counted !== undefined && counted.timestamp <= record.timestamp) {
          context.countDuplicate(storeName);
          return;
        }
        seen.put(id, 1, record.timestamp);
        if (counted !== undefined) {
          context.countDuplicate(storeName);
          forward({
            ...record,
            value: retract(record.value),
            timestamp: counted.timestamp,
            ...(windows === undefined ? {} : { window: windowFor(windows, counted.timestamp) }),
          });
        }
        forward(record);
      },
    };
  };
}
