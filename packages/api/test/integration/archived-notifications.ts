// Real archive files for the notification log's tests: dispatch events and pings written to Kafka
// as the dispatcher and the api write them (Avro in the Confluent frame, keyed by campaign, with
// their Kafka timestamps), archived by the real archiver from a broker of the test's own, so the
// topics carry Hoot's real names and no other test's records.
import { randomUUID } from 'node:crypto';
import {
  createArchiverMetrics,
  createLocalStore,
  OPEN_PREFIX,
  openArchiveDatabase,
  startArchiver,
} from '@hoot/archiver';
import {
  campaignKey,
  createBuiltinCatalog,
  type DispatchOutcome,
  sharedTopicConfigs,
  Topics,
} from '@hoot/events';
import { createMissingTopics } from '@hoot/kafka';
import { PrivateBroker, type WorkloadRecord, writeRecords } from '@hoot/workload';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';

/** One notification as the archive should tell it, and the pings its browser sent. */
export interface LogNotification {
  merchant: string;
  campaignId: number;
  subscriberId: number;
  /** Null: a seed-era event without one, identified by merchant, campaign and subscriber. */
  notificationId: string | null;
  outcome: DispatchOutcome;
  /** When the outcome was decided (and, when sent, accepted), epoch ms. */
  at: number;
  status: number | null;
  error: string | null;
  title: string;
  body: string;
  url: string;
  deliveredAt?: number;
  clickedAt?: number;
}

/** A ping that belongs to no notification of the list (another merchant's, say). */
export interface StrayPing {
  merchant: string;
  campaignId: number;
  subscriberId: number;
  notificationId: string | null;
  type: 'delivery' | 'click';
  at: number;
}

/** A notification of the merchant's campaign with defaults for the fields a test does not vary. */
export function notification(
  merchant: string,
  campaignId: number,
  subscriberId: number,
  at: number,
  fields: Partial<LogNotification> = {},
): LogNotification {
  return {
    merchant,
    campaignId,
    subscriberId,
    notificationId: randomUUID(),
    outcome: 'sent',
    at,
    status: 201,
    error: null,
    title: `Campaign ${campaignId}`,
    body: 'Boots at half price',
    url: 'https://shop.example/boots',
    ...fields,
  };
}

/** The records the dispatcher and the api would have written for these notifications. */
export function recordsOf(notifications: readonly LogNotification[], stray: readonly StrayPing[] = []) {
  const records: WorkloadRecord[] = [];
  for (const n of notifications) {
    const ref = { merchant: n.merchant, source: 'campaign', source_id: n.campaignId };
    records.push({
      topic: 'dispatch',
      format: 'dispatch',
      key: campaignKey(ref),
      // The dispatcher writes a batch's events a moment after deciding them.
      timestamp: n.at + 250,
      value: {
        title: n.title,
        description: n.body,
        ...ref,
        subscriber_id: n.subscriberId,
        notification_id: n.notificationId,
        sent_at: n.outcome === 'sent' ? n.at : null,
        status_code: n.status,
        push_service: n.outcome === 'refused' ? null : 'fcm.googleapis.com',
        url: n.url,
        outcome: n.outcome,
        error: n.error,
        attempts: n.outcome === 'refused' ? 0 : 1,
        ttl_seconds: 2_419_200,
        urgency: 'normal',
        icon: null,
        decided_at: n.at,
      },
    });
    const pings: StrayPing[] = [];
    const base = { merchant: n.merchant, campaignId: n.campaignId, subscriberId: n.subscriberId };
    if (n.deliveredAt !== undefined) {
      pings.push({ ...base, notificationId: n.notificationId, type: 'delivery', at: n.deliveredAt });
    }
    if (n.clickedAt !== undefined) {
      pings.push({ ...base, notificationId: n.notificationId, type: 'click', at: n.clickedAt });
    }
    records.push(...pings.map(pingRecord));
  }
  records.push(...stray.map(pingRecord));
  return records;
}

function pingRecord(p: StrayPing): WorkloadRecord {
  const ref = { merchant: p.merchant, source: 'campaign', source_id: p.campaignId };
  const time = new Date(p.at).toISOString();
  return {
    topic: 'ping',
    format: 'ping',
    key: campaignKey(ref),
    timestamp: p.at + 500,
    value: {
      ...ref,
      subscriber_id: p.subscriberId,
      delivered_time: p.type === 'delivery' ? time : null,
      clicked_time: p.type === 'click' ? time : null,
      notification_id: p.notificationId,
      token: 'archived-without-its-token',
      received_at: p.at + 400,
      event_time: p.at,
    },
  };
}

export interface ArchiveRun {
  records: number;
  /** Seconds from the first record written to every record readable in the archive. */
  archiveSeconds: number;
}

/**
 * Writes the records to Kafka on a private broker, runs the archiver over `directory` until every
 * record is readable (from files still being filled, `_open/`), calls `whileOpen` then with the
 * number of such files, and stops the archiver, which completes its files.
 */
export async function archiveRecords(
  directory: string,
  records: readonly WorkloadRecord[],
  whileOpen?: (openFiles: number) => Promise<void>,
): Promise<ArchiveRun> {
  const broker = new PrivateBroker();
  try {
    await broker.start();
    const kafka = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await createMissingTopics(admin, sharedTopicConfigs({ partitions: 3, replicationFactor: 1 }));
    await admin.disconnect();
    const started = Date.now();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await writeRecords(producer, createBuiltinCatalog(), [[...records]]);
    await producer.disconnect();

    const store = createLocalStore(directory);
    let crash: Error | undefined;
    const archiver = await startArchiver({
      kafka,
      store,
      topics: [Topics.dispatch, Topics.ping],
      groupId: 'notification-log-test',
      // Small files: a log page reads many, across hours and days.
      limits: { maxRecords: 40, maxBytes: 64 * 1024 * 1024 },
      openFileWriteMs: 300,
      registry: createBuiltinCatalog(),
      metrics: createArchiverMetrics(),
      logger: pino({ level: 'silent' }),
      sessionTimeoutMs: 10_000,
      onCrash: (error) => {
        crash = error;
      },
    });
    let archiveSeconds = 0;
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (crash !== undefined) throw crash;
        if ((await archivedCount(store)) >= records.length) break;
        if (Date.now() > deadline) throw new Error(`the archive has not got all ${records.length} records`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      archiveSeconds = (Date.now() - started) / 1000;
      if (whileOpen !== undefined) {
        let openFiles = 0;
        for await (const _ of store.list(OPEN_PREFIX)) openFiles++;
        await whileOpen(openFiles);
      }
    } finally {
      await archiver.stop();
      await store.close();
    }
    return { records: records.length, archiveSeconds };
  } finally {
    await broker.destroy();
  }
}

async function archivedCount(store: ReturnType<typeof createLocalStore>): Promise<number> {
  const database = await openArchiveDatabase(store);
  try {
    const { rows } = await database.query(
      'SELECT (SELECT count(*) FROM dispatch)::INTEGER + (SELECT count(*) FROM pings)::INTEGER AS n',
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    database.close();
  }
}
