import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { freePort } from '@hoot/runtime';
import { sumOfSamples } from '@hoot/workload';
import { testDatabaseUrl } from './database.ts';
import { brokers, type TestTopics } from './kafka.ts';

const mainFile = new URL('../../src/main.ts', import.meta.url).pathname;

export interface DispatcherProcess {
  process: ChildProcess;
  httpPort: number;
  logs: Array<Record<string, unknown>>;
  metrics(): Promise<string>;
  /** The value of one sample, e.g. metric('hoot_dispatcher_notifications_total', {outcome: 'sent'}), summed over other labels. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** SIGTERM, then the exit code once it has stopped. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/**
 * Runs `node packages/dispatcher/src/main.ts` against the test's topics, the test database and
 * the local push service (trusted through NODE_EXTRA_CA_CERTS, reachable with
 * PUSH_ALLOW_PRIVATE_ADDRESSES unless the test sets it otherwise).
 */
export async function startDispatcherProcess(
  topics: TestTopics,
  push: { certFile: string },
  env: Record<string, string> = {},
): Promise<DispatcherProcess> {
  const httpPort = await freePort();
  const child = spawn(process.execPath, [mainFile], {
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      DATABASE_URL: testDatabaseUrl,
      HTTP_PORT: String(httpPort),
      LOG_LEVEL: 'info',
      DISPATCHER_GROUP_ID: topics.group,
      SEND_REQUESTS_TOPIC: topics.requests,
      SEND_BATCHES_TOPIC: topics.batches,
      DISPATCH_TOPIC: topics.dispatch,
      NODE_EXTRA_CA_CERTS: push.certFile,
      PUSH_HOST_ALLOWLIST: 'localhost',
      PUSH_ALLOW_PRIVATE_ADDRESSES: 'true',
      PING_TOKEN_SECRETS: 'test-ping-secret-0123456789abcdef-0123456789',
      PING_URL: 'https://api.hoot.example/pings',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ msg: line });
    }
    if (process.env.DISPATCHER_TEST_LOGS === '1') console.error(line);
  });
  const metrics = async () => {
    const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
    return response.text();
  };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dispatcher exited with ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) throw new Error('dispatcher not ready within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    process: child,
    httpPort,
    logs,
    metrics,
    async metric(name, labels = {}) {
      return sumOfSamples(await metrics(), name, labels);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
