import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '@hoot/runtime';
import { type ApiHarness, brokers, databaseUrl, pingSecret, startApi } from './api-harness.ts';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

interface ApiProcess {
  logs: Array<Record<string, unknown>>;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  listening: Promise<void>;
  stop(): Promise<number | null>;
}

describe('the api process failing to start', () => {
  let h: ApiHarness;
  const running: ApiProcess[] = [];
  const spawnApi = (env: Record<string, string>): ApiProcess => {
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        KAFKA_BROKERS: brokers.join(','),
        DATABASE_URL: databaseUrl,
        PING_TOKEN_SECRETS: pingSecret,
        PING_TOPIC: h.topics.ping,
        ORDERS_TOPIC: h.topics.orders,
        CAMPAIGN_SEND_TOPIC: h.topics.sendRequests,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: Array<Record<string, unknown>> = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const listening = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'api listening') resolve();
      });
      void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    listening.catch(() => {});
    const p: ApiProcess = {
      logs,
      stderr: () => stderr,
      exited,
      listening,
      stop: async () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        return exited;
      },
    };
    running.push(p);
    return p;
  };
  /** The one fatal line, with no stack trace in it or on stderr. */
  const fatalLine = (p: ApiProcess): string => {
    const fatal = p.logs.filter((l) => l.level === 60);
    assert.equal(fatal.length, 1, `one fatal line: ${JSON.stringify(p.logs.slice(-5))}`);
    assert.doesNotMatch(p.stderr(), /\n\s+at /, 'no stack trace on stderr');
    assert.doesNotMatch(JSON.stringify(fatal[0]), /\\n\s+at /, 'no stack trace in the fatal line');
    return String(fatal[0]!.msg);
  };

  before(async () => {
    // Only for its topics; the processes under test are separate ones.
    h = await startApi();
  });
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await h.close();
  });

  it('a second process on the same PORT logs one line naming the port and PORT, and exits non-zero', async () => {
    const port = String(await freePort());
    const first = spawnApi({ PORT: port });
    await first.listening;
    const second = spawnApi({ PORT: port });
    const code = await second.exited;
    assert.ok(code !== 0 && code !== null, `exit code ${code}`);
    assert.match(fatalLine(second), new RegExp(`port ${port} is already in use.*set PORT`));
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200, 'the first one serves on');
  });

  it('an unreachable broker ends, after the client has retried, in one line naming KAFKA_BROKERS and a non-zero exit', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const p = spawnApi({ PORT: String(await freePort()), KAFKA_BROKERS: dead });
    const code = await p.exited;
    assert.ok(code !== 0 && code !== null, `exit code ${code}`);
    assert.match(fatalLine(p), new RegExp(`Kafka is unreachable at ${dead}.*KAFKA_BROKERS`));
  });
});
