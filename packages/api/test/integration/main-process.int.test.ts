import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ApiHarness, brokers, databaseUrl, pingSecret, startApi } from './api-harness.ts';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('the api process', () => {
  let h: ApiHarness;
  before(async () => {
    // Only for its topics, token helper and offsets; the process under test is a separate one.
    h = await startApi();
  });
  after(async () => {
    await h.close();
  });

  it('logs JSON, becomes ready, and on SIGTERM answers the pings in flight before exiting 0', async () => {
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
        PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Array<Record<string, unknown>> = [];
    let address: string | undefined;
    const listening = new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const line of parts) {
          const entry = JSON.parse(line) as Record<string, unknown>;
          lines.push(entry);
          if (entry.msg === 'api listening') {
            address = entry.address as string;
            resolve();
          }
        }
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    await listening;
    assert.ok(address);
    assert.equal((await fetch(`${address}/readyz`)).status, 200);

    const start = await h.endOffset(h.topics.ping);
    const inFlight = Array.from({ length: 50 }, (_, i) =>
      fetch(`${address}/v1/pings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          pings: [{ type: 'delivery', token: h.token({ notificationId: `n-term-${i}` }) }],
        }),
      }).then((res) => res.status),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGTERM');
    const statuses = await Promise.all(inFlight.map((p) => p.catch(() => 'refused')));
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    const accepted = statuses.filter((s) => s === 202).length;
    assert.ok(accepted > 0, `statuses: ${statuses.join(',')}`);
    assert.ok(
      statuses.every((s) => s === 202 || s === 503 || s === 'refused'),
      statuses.join(','),
    );
    assert.ok((await h.endOffset(h.topics.ping)) - start >= accepted, 'every 202 is in Kafka');
    assert.ok(lines.every((l) => l.service === 'api' && typeof l.level === 'number'));
    assert.ok(lines.some((l) => l.msg === 'stopped'));
  });
});
