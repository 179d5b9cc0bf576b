import { isWindowClosed, type TumblingWindows, windowFor } from '../../windows/tumbling.ts';
import type { StreamRecord } from '../stream-record.ts';
import type { NodeFactory } from '../topology.ts';

/** Assigns each record its window by event time; a record for a closed window is dropped late. */
export function windowNode(name: string, windows: TumblingWindows): NodeFactory {
  return (context, forward) => ({
    process(record: StreamRecord<unknown, unknown>) {
      context.observeTimestamp(record.timestamp);
      const window = windowFor(windows, record.timestamp);
      const streamTime = context.streamTime();
      if (isWindowClosed(windows, window, streamTime)) {
        context.dropLate(name, record.origin, {
          timestamp: record.timestamp,
          windowEnd: window.end,
          streamTime,
        });
        return;
      }
      forward({ ...record, window });
    },
  });
}
