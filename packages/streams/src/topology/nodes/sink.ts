import type { TopicSerde } from '../../serde/serde.ts';
import type { StreamRecord } from '../stream-record.ts';
import type { NodeFactory } from '../topology.ts';

/**
 * Writes records to a topic, keyed by their (string) key; murmur2 picks the partition. Records get
 * the time they are written, not their event time: an event weeks old must not fall straight to
 * the output topic's time-based retention.
 */
export function sinkNode(topic: string, values: TopicSerde<unknown>): NodeFactory {
  return (context) => ({
    process(record: StreamRecord<unknown, unknown>) {
      context.send({
        topic,
        key: record.key === null || record.key === undefined ? null : Buffer.from(String(record.key), 'utf8'),
        value: values.serialize(record.value),
      });
    },
  });
}
