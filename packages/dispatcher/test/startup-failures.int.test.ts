import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@hoot/runtime';
import { testDatabaseUrl } from './harness/database.ts';
import { type DispatcherStack, startDispatcherStack } from './harness/dispatcher-stack.ts';

const mainFile = new URL('../src/main.ts', import.meta.url).pathname;

/** Runs dispatcher main.ts to its exit; its log lines and stderr. */
async function runToExit(
  stack: DispatcherStack,
  env: Record<string, string>,
): Promise<{ code: number | null; logs: Array<Record<string, unknown>>; stderr: string }> {
  const child = spawn(process.execPath, [mainFile], {
    env: {
      ...process.env,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      DATABASE_URL: testDatabaseUrl,
      LOG_LEVEL: 'info',
      DISPATCHER_GROUP_ID: stack.topics.group,
      SEND_REQUESTS_TOPIC: stack.topics.requests,
      SEND_BATCHES_TOPIC: stack.topics.batches,
      DISPATCH_TOPIC: stack.topics.dispatch,
      PING_TOKEN_SECRETS: 'test-ping-secret-0123456789abcdef-0123456789',
      PING_URL: 'https://api.hoot.example/pings',
      VAPID_PUBLIC_KEY: stack.vapid.publicKey,
      VAPID_PRIVATE_KEY: stack.vapid.privateKey,
      VAPID_SUBJECT: 'mailto:ops@example.com',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ msg: line });
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, logs, stderr };
}

/** The one fatal line, with no stack trace in it or on stderr. */
function fatalLine(run: { logs: Array<Record<string, unknown>>; stderr: string }): string {
  const fatal = run.logs.filter((l) => l.level === 60);
  assert.equal(fatal.length, 1, `one fatal line: ${JSON.stringify(run.logs.slice(-5))}`);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace on stderr');
  assert.doesNotMatch(JSON.stringify(fatal[0]), /\\n\s+at /, 'no stack trace in the fatal line');
  return String(fatal[0]!.msg);
}

describe('the dispatcher failing to start', () => {
  let stack: DispatcherStack;
  before(async () => {
    stack = await startDispatcherStack('disp-startup');
  });
  after(() => stack?.stop());

  it('a second process on the same HTTP_PORT logs one line naming the port and HTTP_PORT, and exits non-zero', async () => {
    const first = await stack.startDispatcher();
    const port = String(first.httpPort);
    const second = await runToExit(stack, { HTTP_PORT: port });
    assert.ok(second.code !== 0 && second.code !== null, `exit code ${second.code}`);
    assert.match(fatalLine(second), new RegExp(`port ${port} is already in use.*HTTP_PORT`));
    assert.equal(first.process.exitCode, null, 'the first process runs on');
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
  });

  it('an unreachable broker ends, after the client has retried, in one line naming KAFKA_BROKERS and a non-zero exit', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const run = await runToExit(stack, { HTTP_PORT: String(await freePort()), KAFKA_BROKERS: dead });
    assert.ok(run.code !== 0 && run.code !== null, `exit code ${run.code}`);
    assert.match(fatalLine(run), new RegExp(`Kafka is unreachable at ${dead}.*KAFKA_BROKERS`));
  });
});
