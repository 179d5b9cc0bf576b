// The topology the engine benchmark runs: distinct ids per key, hourly counts and totals.
import {
  countAggregator,
  int64Serde,
  jsonSerde,
  type Topology,
  TopologyBuilder,
  tumblingWindows,
} from '@hoot/streams';

export { createKafkajsPort, EngineMetrics, StreamProcessor } from '@hoot/streams';

interface Event {
  id: string;
  group: string;
  ts: number;
}

export function countingAggregatorTopology(input: string, output: string): Topology {
  const builder = new TopologyBuilder('bench');
  const events = builder
    .stream(input, { value: jsonSerde<Event>(), timestamp: (e) => e.ts })
    .rekey('by-group', (e) => e.group, { value: jsonSerde<Event>() })
    .distinct('seen', { by: (e) => e.id, horizonMs: 30 * 86_400_000 })
    .windowBy('hourly', tumblingWindows({ sizeMs: 3_600_000, graceMs: 28 * 86_400_000 }));
  events
    .aggregate('counts', countAggregator<Event>(), { value: int64Serde })
    .mapValues((count, key, window) => ({ key, window: window?.start, count }))
    .to(output, { value: jsonSerde() });
  events
    .aggregate('totals', countAggregator<Event>(), { value: int64Serde, perWindow: false })
    .mapValues((count, key) => ({ key, count }))
    .to(output, { value: jsonSerde() });
  return builder.build();
}
