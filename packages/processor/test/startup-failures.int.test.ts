import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { migrate, withDatabase } from '@hoot/db';
import { freePort } from '@hoot/runtime';
import pg from 'pg';
import { brokers, deleteTopicsWithPrefix, uniqueName } from '../../streams/test/integration/harness/kafka.ts';
import { AppProcess } from '../../streams/test/integration/harness/processes.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hoot_test';

/** The process's one fatal line, after checking that neither it nor stderr holds a stack trace. */
function fatalLine(p: AppProcess): string {
  const fatal = p.logs.filter((l) => l.level === 60);
  assert.equal(fatal.length, 1, `one fatal line: ${JSON.stringify(p.logs.slice(-5))}`);
  assert.doesNotMatch(p.stderr, /\n\s+at /, 'no stack trace on stderr');
  // Retries before it may log their errors; the line that ends the process carries no stack.
  assert.doesNotMatch(JSON.stringify(fatal[0]), /\\n\s+at /, 'no stack trace in the fatal line');
  console.log(`# ${JSON.stringify(fatal[0])}`);
  return fatal[0]!.msg;
}

describe('the processor service failing to start', () => {
  const id = uniqueName('it-startup');
  const databaseUrl = withDatabase(baseUrl, id.replaceAll('-', '_'));
  const processes: AppProcess[] = [];
  const start = (env: Record<string, string>) => {
    const p = new AppProcess(
      {
        APPLICATION_ID: id,
        DATABASE_URL: databaseUrl,
        PING_TOPIC: `${id}-ping`,
        DISPATCH_TOPIC: `${id}-dispatch`,
        ORDERS_TOPIC: `${id}-orders`,
        REPORTING_TOPIC: `${id}-reporting`,
        KAFKA_TOPIC_PARTITIONS: '2',
        KAFKA_BROKERS: brokers.join(','),
        LOG_LEVEL: 'info',
        ...env,
      },
      MAIN,
    );
    processes.push(p);
    return p;
  };
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await deleteTopicsWithPrefix(id);
    const admin = new pg.Client({ connectionString: withDatabase(baseUrl, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${id.replaceAll('-', '_')}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  });

  it('a second process on the same HTTP_PORT logs one line naming the port and HTTP_PORT, and exits non-zero', async () => {
    await migrate(databaseUrl);
    const port = String(await freePort());
    const first = start({ HTTP_PORT: port, STATE_DIR: `/tmp/${id}-a` });
    await first.waitForLog((l) => l.msg === 'processor running', 120_000);
    const second = start({ HTTP_PORT: port, STATE_DIR: `/tmp/${id}-b` });
    const code = await second.exited;
    assert.notEqual(code, 0);
    assert.notEqual(code, null);
    const line = fatalLine(second);
    assert.match(line, new RegExp(`port ${port} is already in use.*HTTP_PORT`));
    assert.equal(first.child.exitCode, null, 'the first process runs on');
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  });

  it('an unreachable broker ends, after the client has retried, in one line naming KAFKA_BROKERS and a non-zero exit', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const p = start({ HTTP_PORT: String(await freePort()), STATE_DIR: `/tmp/${id}-c`, KAFKA_BROKERS: dead });
    const code = await p.exited;
    console.log(`# processor gave up on an unreachable broker after ${Date.now() - started} ms`);
    assert.notEqual(code, 0);
    assert.notEqual(code, null);
    assert.match(fatalLine(p), new RegExp(`Kafka is unreachable at ${dead}.*KAFKA_BROKERS`));
  });
});
