// Api ping benchmark: autocannon against POST /v1/pings of a real api process writing to the local
// Kafka broker with acks=all, beside a bare Fastify hello-world measured in the same run. Both
// servers run in their own processes; the load generator runs here.
// Usage: node bench/api-ping.ts   (RUNS 3, DURATION 10 s, CONNECTIONS 50, PINGS_PER_REQUEST 1,
//                                  PARTITIONS 6, DATABASE_URL for the api's migrations)
import { randomBytes, randomUUID } from 'node:crypto';
import { signPingToken } from '@hoot/events';
import { createMissingTopics } from '@hoot/kafka';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import { machineLine, median } from './machine.ts';
import { startServer, stopServer } from './server-process.ts';

const RUNS = Number(process.env.RUNS ?? 3);
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const PINGS_PER_REQUEST = Number(process.env.PINGS_PER_REQUEST ?? 1);
const PARTITIONS = Number(process.env.PARTITIONS ?? 6);
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hoot_bench';
const topic = `bench-api-ping-${randomUUID().slice(0, 8)}`;
const secret = randomBytes(32).toString('base64url');

/** Many campaigns and notifications, so the records spread over the topic's partitions. */
function pingBodies(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      pings: Array.from({ length: PINGS_PER_REQUEST }, (_, j) => ({
        type: 'delivery',
        token: signPingToken(
          {
            notificationId: randomUUID(),
            merchant: `shop-${i % 50}.example`,
            source: 'campaign',
            sourceId: 1000 + (i % 97),
            subscriberId: i * PINGS_PER_REQUEST + j,
            expiresAt: Math.floor(Date.now() / 1000) + 3600,
            issuedAt: Math.floor(Date.now() / 1000) - 60,
          },
          secret,
        ),
        time: new Date().toISOString(),
      })),
    }),
  );
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  other: number;
}

async function load(url: string, bodies: string[]): Promise<Figures> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: bodies.map((body) => ({ method: 'POST', body })),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    other: result.non2xx + result.errors,
  };
}

const admin = new Kafka({
  clientId: 'bench-api',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
}).admin();
await admin.connect();
await createMissingTopics(admin, [{ topic, numPartitions: PARTITIONS }]);
const endOffset = async () =>
  (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);

const api = await startServer('packages/api/src/main.ts', {
  KAFKA_BROKERS: brokers,
  DATABASE_URL: databaseUrl,
  PING_TOKEN_SECRETS: secret,
  PING_TOPIC: topic,
  PORT: '0',
  // info prints the listening address; the api writes no line per request.
  LOG_LEVEL: 'info',
  RATE_LIMIT_MAX: '100000000',
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
});
const hello = await startServer('bench/hello-server.ts', {});
const bodies = pingBodies(256);
const helloBody = [JSON.stringify({ pings: [{ type: 'delivery', token: 'x' }] })];

console.log(machineLine());
console.log(
  `ping benchmark: ${RUNS} runs of ${DURATION} s, ${CONNECTIONS} connections, ${PINGS_PER_REQUEST} ping(s) per request, topic of ${PARTITIONS} partitions, acks=all`,
);
const helloRuns: Figures[] = [];
const pingRuns: Figures[] = [];
try {
  // Warm-up: connections, JIT, the producer's metadata.
  await autocannon({
    url: `${api.address}/v1/pings`,
    connections: 10,
    duration: 2,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: bodies[0],
  });
  for (let run = 1; run <= RUNS; run++) {
    const h = await load(`${hello.address}/hello`, helloBody);
    const before = await endOffset();
    const p = await load(`${api.address}/v1/pings`, bodies);
    const written = (await endOffset()) - before;
    helloRuns.push(h);
    pingRuns.push(p);
    console.log(
      `run ${run}: hello ${h.rps.toFixed(0)} req/s p50 ${h.p50} ms p99 ${h.p99} ms | ping ${p.rps.toFixed(0)} req/s p50 ${p.p50} ms p99 ${p.p99} ms, ${p.ok} answered 202, ${p.other} other, ${written} records in Kafka`,
    );
    if (written < p.ok * PINGS_PER_REQUEST)
      throw new Error(`only ${written} records for ${p.ok} acknowledged requests`);
  }
} finally {
  await stopServer(api.child);
  await stopServer(hello.child);
  await admin
    .deleteTopics({ topics: [topic], timeout: 30_000 })
    .catch((error: unknown) => console.error(`could not delete topic ${topic}: ${String(error)}`));
  await admin.disconnect();
}
const med = (runs: Figures[], key: keyof Figures) => median(runs.map((r) => r[key]));
console.log(
  `median hello-world: ${med(helloRuns, 'rps').toFixed(0)} req/s, p50 ${med(helloRuns, 'p50')} ms, p99 ${med(helloRuns, 'p99')} ms`,
);
console.log(
  `median ping (202 after acks=all): ${med(pingRuns, 'rps').toFixed(0)} req/s (${(med(pingRuns, 'rps') * PINGS_PER_REQUEST).toFixed(0)} pings/s), p50 ${med(pingRuns, 'p50')} ms, p99 ${med(pingRuns, 'p99')} ms`,
);
