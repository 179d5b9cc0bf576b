import type { TopicSerde } from '../../serde/serde.ts';
import type { StreamRecord } from '../stream-record.ts';
import type { NodeFactory } from '../topology.ts';

/** Writes records to a topic, keyed by their (string) key; murmur2 picks the partition. */
export function sinkNode(topic: string, values: TopicSerde<unknown>): NodeFactory {
  return (context) => ({
    process(record: StreamRecord<unknown, unknown>) {
      context.send({
        topic,
        key: record.key === null || record.key === undefined ? null : Buffer.from(String(record.key), 'utf8'),
        value: values.serialize(record.value),
        timestamp: record.timestamp,
      });
    },
  });
}
