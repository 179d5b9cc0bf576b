import type { Aggregator } from '../aggregator.ts';
import type { RecordOrigin, StreamRecord } from '../stream-record.ts';
import type { NodeFactory } from '../topology.ts';

const NO_ORIGIN: RecordOrigin = {
  topic: '',
  partition: -1,
  offset: -1,
  key: null,
  value: null,
  timestamp: -1,
  eventTimeBound: undefined,
};

/**
 * Folds records into one value per key (and per window when `windowSizeMs` is set). Updates are
 * forwarded downstream when the store's cache flushes, so a key updated many times between two
 * commits is emitted once, with its latest value.
 */
export function aggregateNode(
  storeName: string,
  aggregator: Aggregator<unknown, unknown>,
  windowSizeMs: number | undefined,
): NodeFactory {
  return (context, forward) => {
    const cache = context.cache(storeName);
    if (windowSizeMs === undefined) {
      const store = context.keyValueStore<unknown, unknown>(storeName);
      cache.setFlushListener((key, entry) => {
        if (entry === undefined) return;
        forward({
          key: store.decodeKey(key),
          value: store.decodeValue(entry.value),
          timestamp: entry.timestamp,
          origin: NO_ORIGIN,
        });
      });
      return {
        process(record: StreamRecord<unknown, unknown>) {
          const current = store.get(record.key) ?? aggregator.initialize();
          store.put(record.key, aggregator.add(current, record.value), record.timestamp);
        },
      };
    }
    const store = context.windowStore<unknown, unknown>(storeName);
    cache.setFlushListener((composite, entry) => {
      if (entry === undefined) return;
      const { key, windowStart } = store.decodeKey(composite);
      forward({
        key,
        value: store.decodeValue(entry.value),
        timestamp: windowStart,
        window: { start: windowStart, end: windowStart + windowSizeMs },
        origin: NO_ORIGIN,
      });
    });
    return {
      process(record: StreamRecord<unknown, unknown>) {
        const window = record.window;
        if (window === undefined) throw new Error(`aggregate ${storeName} needs a windowed stream`);
        const current = store.get(record.key, window.start) ?? aggregator.initialize();
        store.put(record.key, window.start, aggregator.add(current, record.value));
      },
    };
  };
}
