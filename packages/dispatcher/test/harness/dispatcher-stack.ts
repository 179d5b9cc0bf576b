import type pg from 'pg';
import webpush from 'web-push';
import { testPool } from './database.ts';
import { type DispatcherProcess, startDispatcherProcess } from './dispatcher-process.ts';
import { createTestTopics, deleteTestTopics, type TestTopics, uniqueName } from './kafka.ts';
import { type PushService, startPushService } from './push-service.ts';

/**
 * What a dispatcher test runs on: the local push service, topics of its own, a Postgres pool and
 * a VAPID key pair; dispatcher processes it starts are stopped with it. `KEEP_TOPICS=1` keeps the
 * topics for a look after a failure.
 */
export interface DispatcherStack {
  push: PushService;
  topics: TestTopics;
  pool: pg.Pool;
  vapid: { publicKey: string; privateKey: string };
  /** A dispatcher process signing with the stack's VAPID keys and a valid subject, unless `env` says otherwise. */
  startDispatcher(env?: Record<string, string>): Promise<DispatcherProcess>;
  stop(): Promise<void>;
}

export async function startDispatcherStack(
  name: string,
  options: { partitions?: number } = {},
): Promise<DispatcherStack> {
  const push = await startPushService();
  const topics = await createTestTopics(uniqueName(name), options.partitions);
  const pool = testPool();
  const vapid = webpush.generateVAPIDKeys();
  const dispatchers: DispatcherProcess[] = [];
  return {
    push,
    topics,
    pool,
    vapid,
    async startDispatcher(env = {}) {
      const dispatcher = await startDispatcherProcess(topics, push, {
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: 'mailto:ops@example.com',
        ...env,
      });
      dispatchers.push(dispatcher);
      return dispatcher;
    },
    async stop() {
      for (const dispatcher of dispatchers) await dispatcher.stop();
      await push.stop();
      await pool.end();
      if (process.env.KEEP_TOPICS !== '1') await deleteTestTopics(topics);
    },
  };
}
