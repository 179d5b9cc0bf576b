// Pings written straight to Kafka as Hoot's api writes them (schema id 4, keyed by campaign with
// Java's murmur2 partitioning), for the benchmarks' load and probes.

import { campaignKey, createAvroSerde, createBuiltinCatalog, type Ping, pingSchema } from '@hoot/events';
import { javaCompatiblePartitioner } from '@hoot/kafka';
import { kafka } from '../packages/streams/test/integration/harness/kafka.ts';

export interface PingWriter {
  /** A delivery ping of `merchant`'s campaign, delivered now, with a notification of its own. */
  ping(merchant: string, campaign: number): Ping;
  /** Writes the pings with acks=all; resolves once Kafka has them. */
  send(pings: Ping[]): Promise<void>;
  /** Refuses further sends, waits for the sends still in flight, then disconnects. */
  close(): Promise<void>;
}

export async function createPingWriter(topic: string): Promise<PingWriter> {
  const serde = createAvroSerde<Ping>({
    registry: createBuiltinCatalog(),
    subject: `${topic}-value`,
    schema: pingSchema,
  });
  const producer = kafka.producer({ idempotent: true, createPartitioner: javaCompatiblePartitioner });
  await producer.connect();
  let sequence = 0;
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  return {
    ping(merchant, campaign) {
      const now = Date.now();
      sequence++;
      return {
        merchant,
        source: 'campaign',
        source_id: campaign,
        subscriber_id: sequence,
        delivered_time: new Date(now).toISOString(),
        clicked_time: null,
        notification_id: `bench-${sequence}`,
        token: null,
        received_at: now,
        event_time: now,
      };
    },
    async send(pings) {
      // kafkajs connects a disconnected producer again on send: a send begun after close() would
      // hold a connection open (to topics a benchmark may have deleted) and keep the process alive.
      if (closed) throw new Error('the ping writer is closed');
      // Tracked from its first step: close() must also wait for sends still encoding their pings.
      const sent = (async () => {
        const messages = await Promise.all(
          pings.map(async (p) => ({ key: campaignKey(p), value: await serde.encode(p) })),
        );
        await producer.send({ topic, acks: -1, messages });
      })();
      inFlight.add(sent);
      try {
        await sent;
      } finally {
        inFlight.delete(sent);
      }
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
      await producer.disconnect();
    },
  };
}
