import type { Window } from '../../windows/tumbling.ts';
import { boundEventTime } from '../event-time-bound.ts';
import type { StreamRecord } from '../stream-record.ts';
import type { NodeFactory } from '../topology.ts';

type Any = StreamRecord<unknown, unknown>;

export function filterNode(predicate: (value: unknown, key: unknown) => boolean): NodeFactory {
  return (_context, forward) => ({
    process(record: Any) {
      if (predicate(record.value, record.key)) forward(record);
    },
  });
}

export function mapValuesNode(
  mapper: (value: unknown, key: unknown, window: Window | undefined) => unknown,
): NodeFactory {
  return (_context, forward) => ({
    process(record: Any) {
      forward({ ...record, value: mapper(record.value, record.key, record.window) });
    },
  });
}

/**
 * One record in, any number out, each with its own key and value (and event time, if given). A
 * derived event time beyond the source record's bound counts at its Kafka timestamp, like the
 * record's own (event-time-bound.ts).
 */
export function flatMapNode(
  mapper: (value: unknown, key: unknown) => Iterable<{ key: unknown; value: unknown; timestamp?: number }>,
): NodeFactory {
  return (context, forward) => ({
    process(record: Any) {
      const { origin } = record;
      for (const out of mapper(record.value, record.key)) {
        let timestamp = record.timestamp;
        if (out.timestamp !== undefined) {
          const bound = boundEventTime(out.timestamp, origin.eventTimeBound);
          if (bound.bounded) context.countFutureEventTime(origin.topic);
          timestamp = bound.timestamp;
        }
        forward({ ...record, key: out.key, value: out.value, timestamp });
      }
    },
  });
}
