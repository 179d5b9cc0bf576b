import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Ping, pingSchema } from '@hoot/events';
import { PrivateBroker } from '@hoot/workload';
import type { ApiHarness } from './api-harness.ts';

const PRODUCE_TIMEOUT_MS = 3_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Answer {
  id: string;
  sentAt: number;
  tookMs: number;
  status: number;
}

/**
 * The api on a broker of the test's own, stopped for a while and started again, then frozen and
 * resumed: a ping is
 * answered 202 only once Kafka has acknowledged it, 503 while Kafka cannot, within
 * PRODUCE_TIMEOUT_MS, and 202 again once the broker is back, without restarting the api.
 */
describe('the api through broker outages', () => {
  const broker = new PrivateBroker();
  let h: ApiHarness;
  before(async () => {
    await broker.start();
    // The harness reads KAFKA_BROKERS when it loads.
    process.env.KAFKA_BROKERS = broker.brokers;
    const { startApi } = await import('./api-harness.ts');
    h = await startApi({ PRODUCE_TIMEOUT_MS: String(PRODUCE_TIMEOUT_MS) });
  });
  after(async () => {
    await broker.thaw();
    await h?.close().catch(() => {});
    await broker.destroy();
  });

  it('answers pings 503 (never 202) while the broker is stopped, 202 again once it is back, and every 202 is on the topic', () =>
    pingThrough(h, { name: 'stopped', begin: () => broker.stop(), end: () => broker.start() }));

  it('does the same while the broker hangs (frozen with SIGSTOP), its connections open and silent', () =>
    pingThrough(h, { name: 'frozen', begin: () => broker.freeze(), end: () => broker.thaw() }));
});

/**
 * Pings one every 100 ms through a 12 s fault of the broker (`begin` to `end`) and asserts what
 * a client must see: 503 (never 202) within PRODUCE_TIMEOUT_MS during it, 202 again once the
 * broker answers, without restarting the api, and every ping answered 202 on the topic.
 */
async function pingThrough(
  h: ApiHarness,
  fault: { name: string; begin(): Promise<void>; end(): Promise<void> },
): Promise<void> {
  const answers: Answer[] = [];
  const inFlight: Array<Promise<void>> = [];
  let pinging = true;
  const ping = async () => {
    const id = `n-outage-${randomUUID()}`;
    const sentAt = performance.now();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/pings',
      payload: { pings: [{ type: 'delivery', token: h.token({ notificationId: id }) }] },
    });
    answers.push({ id, sentAt, tookMs: performance.now() - sentAt, status: res.statusCode });
  };
  // A steady stream of pings, one every 100 ms, through the whole outage.
  const pinger = (async () => {
    while (pinging) {
      inFlight.push(ping());
      await sleep(100);
    }
  })();

  await sleep(2_000);
  await fault.begin();
  const down = performance.now();
  await sleep(12_000);
  const upBegins = performance.now();
  await fault.end();
  const back = performance.now();
  // Until pings are accepted again, and a few seconds more.
  const deadline = back + 60_000;
  while (!answers.some((a) => a.status === 202 && a.sentAt > back) && performance.now() < deadline)
    await sleep(100);
  await sleep(3_000);
  pinging = false;
  await pinger;
  await Promise.all(inFlight);

  assert.ok(
    answers.every((a) => a.status === 202 || a.status === 503),
    `statuses: ${[...new Set(answers.map((a) => a.status))].join(',')}`,
  );
  const outage = answers.filter((a) => a.sentAt >= down && a.sentAt + a.tookMs <= upBegins);
  assert.ok(outage.length >= 20, `pings answered during the outage: ${outage.length}`);
  assert.deepEqual(
    outage.filter((a) => a.status !== 503).map((a) => a.status),
    [],
    `every ping while the broker was ${fault.name} answered 503`,
  );
  const slowest = Math.max(...outage.map((a) => a.tookMs));
  assert.ok(slowest <= PRODUCE_TIMEOUT_MS + 1_000, `503s answered within PRODUCE_TIMEOUT_MS: ${slowest} ms`);
  const firstAccepted = answers
    .filter((a) => a.status === 202 && a.sentAt > back)
    .reduce((min, a) => Math.min(min, a.sentAt + a.tookMs), Number.POSITIVE_INFINITY);
  assert.ok(Number.isFinite(firstAccepted), 'pings were accepted again after the broker came back');
  const after = answers.filter((a) => a.sentAt > firstAccepted);
  assert.ok(
    after.length > 0 && after.every((a) => a.status === 202),
    `every ping after the first accepted one was accepted: ${after.map((a) => a.status).join(',')}`,
  );
  console.log(
    `# api, broker ${fault.name}: ${outage.length} pings during the outage all 503 (slowest ${Math.round(slowest)} ms); accepted again ${((firstAccepted - back) / 1000).toFixed(1)} s after the broker was back`,
  );

  // Every ping answered 202 is on the topic (a 503 may be there too: the client retries it,
  // and the processor counts a notification once).
  const accepted = new Set(answers.filter((a) => a.status === 202).map((a) => a.id));
  const total = await h.endOffset(h.topics.ping);
  const records = await h.consume<Ping>(h.topics.ping, pingSchema, total, 60_000);
  const onTopic = new Set(records.map((r) => r.value.notification_id));
  const lost = [...accepted].filter((id) => !onTopic.has(id));
  assert.deepEqual(lost, [], `${lost.length} of ${accepted.size} accepted pings are not on the topic`);
  assert.ok(accepted.size > 40, `pings accepted before and after the outage: ${accepted.size}`);
}
