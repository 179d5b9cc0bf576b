import { partitionForKey } from '@hoot/kafka';
import type { StoreSerde } from '../../serde/serde.ts';
import type { StreamRecord } from '../stream-record.ts';
import type { NodeFactory } from '../topology.ts';

/**
 * Gives records a new key. A record whose key already is the new key and that already sits on the
 * partition murmur2 gives that key goes straight on; any other goes through the repartition topic,
 * whose source (same task number as the key's partition) continues the same downstream graph.
 * The record's Kafka timestamp carries its event time across; repartition topics therefore keep
 * records regardless of age and are purged by the engine once consumed.
 */
export function rekeyNode(
  name: string,
  keyOf: (value: unknown, key: unknown) => string,
  values: StoreSerde<unknown>,
): NodeFactory {
  return (context, forward) => {
    const topic = context.repartitionTopic(name);
    return {
      process(record: StreamRecord<unknown, unknown>) {
        const key = keyOf(record.value, record.key);
        if (key === record.key && partitionForKey(key, context.partitionCount) === context.partition) {
          forward(record);
          return;
        }
        context.send({
          topic,
          key: Buffer.from(key, 'utf8'),
          value: values.serialize(record.value),
          timestamp: record.timestamp,
        });
      },
    };
  };
}
