import { randomUUID } from 'node:crypto';
import {
  type CampaignSendRequest,
  campaignSendRequestSchema,
  createAvroSerde,
  createBuiltinCatalog,
  type Dispatch,
  type DispatchOutcome,
  dispatchSchema,
} from '@hoot/events';
import { createMissingTopics } from '@hoot/kafka';
import { Kafka, logLevel } from 'kafkajs';

export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const kafka = new Kafka({ clientId: 'dispatcher-it', brokers, logLevel: logLevel.NOTHING });

const registry = createBuiltinCatalog();
export const requestSerde = createAvroSerde<CampaignSendRequest>({
  registry,
  subject: 'campaign-send-requests-value',
  schema: campaignSendRequestSchema,
});
export const dispatchSerde = createAvroSerde<Dispatch>({
  registry,
  subject: 'pushnotification-dispatch-value',
  schema: dispatchSchema,
});

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The topics and group of one test's dispatcher. */
export interface TestTopics {
  prefix: string;
  requests: string;
  batches: string;
  dispatch: string;
  group: string;
}

export async function createTestTopics(prefix: string, partitions = 3): Promise<TestTopics> {
  const names = {
    prefix,
    requests: `${prefix}-requests`,
    batches: `${prefix}-batches`,
    dispatch: `${prefix}-dispatch`,
    group: `${prefix}-group`,
  };
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createMissingTopics(
      admin,
      [names.requests, names.batches, names.dispatch].map((topic) => ({ topic, numPartitions: partitions })),
    );
  } finally {
    await admin.disconnect();
  }
  return names;
}

export async function deleteTestTopics(topics: TestTopics): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topics.requests, topics.batches, topics.dispatch] });
    await admin.deleteGroups([topics.group, `${topics.group}-fanout`]).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

export async function requestSend(
  topic: string,
  request: Partial<CampaignSendRequest> & Pick<CampaignSendRequest, 'merchant' | 'campaign_id'>,
): Promise<string> {
  const full: CampaignSendRequest = {
    request_id: randomUUID(),
    action: 'send',
    requested_at: Date.now(),
    ...request,
  };
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: `${full.merchant}/campaign/${full.campaign_id}`, value: await requestSerde.encode(full) },
      ],
    });
  } finally {
    await producer.disconnect();
  }
  return full.request_id;
}

export interface DispatchRecord {
  partition: number;
  key: string | null;
  value: Dispatch;
}

/**
 * Every dispatch event on the topic so far (reads to the high watermark of each partition), or
 * only those of one outcome: the dispatcher writes one event per final outcome, sent or not.
 */
export async function readDispatches(topic: string, outcome?: DispatchOutcome): Promise<DispatchRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = ends.reduce((n, p) => n + Number(p.high), 0);
  const records: DispatchRecord[] = [];
  if (expected === 0) return records;
  const groupId = uniqueName('dispatch-reader');
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          records.push({
            partition,
            key: message.key?.toString() ?? null,
            value: await dispatchSerde.decode(message.value),
          });
          if (records.length >= expected) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  const cleanup = kafka.admin();
  await cleanup.connect();
  await cleanup.deleteGroups([groupId]).catch(() => undefined);
  await cleanup.disconnect();
  return outcome === undefined ? records : records.filter((r) => r.value.outcome === outcome);
}
