// Dispatcher benchmark: sends per second for one campaign of SUBSCRIBERS subscribers against the
// local HTTPS push service, with one and with two dispatcher processes, and the dispatchers' CPU
// time per send. Each run: fresh topics and campaign, dispatchers started and ready, then the
// clock runs from the send request to the campaign's status 'sent' in Postgres.
// Usage: node bench/dispatcher-send.ts   (SUBSCRIBERS 200000, RUNS 1, PROCESSES "1,2",
// DECRYPT_EVERY 50, BATCH_SIZE 1000, PARTITIONS 12, DISTINCT_KEYS 1000)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { migrate } from '@hoot/db';
import {
  campaignStatus,
  createCampaign,
  createMerchant,
  insertSubscribers,
  testPool,
} from '../packages/dispatcher/test/harness/database.ts';
import {
  type DispatcherProcess,
  startDispatcherProcess,
} from '../packages/dispatcher/test/harness/dispatcher-process.ts';
import {
  createTestTopics,
  deleteTestTopics,
  readDispatches,
  requestSend,
  uniqueName,
} from '../packages/dispatcher/test/harness/kafka.ts';
import { startPushService } from '../packages/dispatcher/test/harness/push-service.ts';
import { machineLine, median } from './machine.ts';

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 1);
const PROCESSES = (process.env.PROCESSES ?? '1,2').split(',').map(Number);
const DECRYPT_EVERY = Number(process.env.DECRYPT_EVERY ?? 50);
const BATCH_SIZE = Number(process.env.BATCH_SIZE ?? 1000);
const PARTITIONS = Number(process.env.PARTITIONS ?? 12);
const DISTINCT_KEYS = Number(process.env.DISTINCT_KEYS ?? 1000);
const databaseUrl =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hoot_bench_dispatcher';
const SEED_RATE = 1_000_000 / (15 * 60);

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
/** user + system CPU seconds of a process, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface RunResult {
  processes: number;
  seconds: number;
  sendsPerSecond: number;
  cpuMsPerSend: number;
  pushCpuMsPerSend: number;
  loadBefore: string;
  loadAfter: string;
}

console.log(machineLine());
console.log(`uptime: ${execFileSync('uptime').toString().trim()}`);
console.log(
  `campaign: ${SUBSCRIBERS} subscribers, batches of ${BATCH_SIZE}, ${PARTITIONS} partitions; push service verifies every VAPID JWT (once per distinct header) and every request, decrypts 1 push in ${DECRYPT_EVERY}`,
);

await migrate(databaseUrl);
const pool = testPool(databaseUrl);
const push = await startPushService({ DECRYPT_EVERY: String(DECRYPT_EVERY), RECORD: 'false' });
const subscriptions = await push.subscribe(SUBSCRIBERS, { distinctKeys: DISTINCT_KEYS });
const merchant = await createMerchant(pool);
await insertSubscribers(pool, merchant, subscriptions);
console.log(`set-up: ${SUBSCRIBERS} subscribers with ${DISTINCT_KEYS} distinct P-256 key pairs in Postgres`);

async function run(processes: number): Promise<RunResult> {
  const topics = await createTestTopics(uniqueName('bench-dispatch'), PARTITIONS);
  const dispatchers: DispatcherProcess[] = [];
  try {
    for (let i = 0; i < processes; i++) {
      dispatchers.push(
        await startDispatcherProcess(topics, push, {
          DATABASE_URL: databaseUrl,
          LOG_LEVEL: 'warn',
          SEND_BATCH_SIZE: String(BATCH_SIZE),
        }),
      );
    }
    // Let the group settle on its final assignment before the clock starts.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const campaignId = await createCampaign(pool, merchant);
    const statsBefore = await push.stats();
    const cpuBefore = dispatchers.map((d) => cpuSeconds(d.process.pid!));
    const pushCpuBefore = cpuSeconds(push.process.pid!);
    const loadBefore = load();
    const started = performance.now();
    await requestSend(topics.requests, { merchant, campaign_id: campaignId });
    while ((await campaignStatus(pool, campaignId)) !== 'sent') {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = dispatchers.reduce((sum, d, i) => sum + cpuSeconds(d.process.pid!) - cpuBefore[i]!, 0);
    const pushCpu = cpuSeconds(push.process.pid!) - pushCpuBefore;
    const loadAfter = load();
    const statsAfter = await push.stats();
    const accepted = (statsAfter.byStatus['201'] ?? 0) - (statsBefore.byStatus['201'] ?? 0);
    const events = await readDispatches(topics.dispatch, 'sent');
    if (accepted < SUBSCRIBERS || new Set(events.map((e) => e.value.notification_id)).size !== SUBSCRIBERS) {
      throw new Error(
        `incomplete run: ${accepted} accepted, ${events.length} dispatch events for ${SUBSCRIBERS}`,
      );
    }
    const result: RunResult = {
      processes,
      seconds,
      sendsPerSecond: SUBSCRIBERS / seconds,
      cpuMsPerSend: (cpu * 1000) / SUBSCRIBERS,
      pushCpuMsPerSend: (pushCpu * 1000) / SUBSCRIBERS,
      loadBefore,
      loadAfter,
    };
    console.log(
      `${processes} dispatcher(s): ${SUBSCRIBERS} sent in ${seconds.toFixed(1)} s = ${result.sendsPerSecond.toFixed(0)} sends/s ` +
        `(${(result.sendsPerSecond / SEED_RATE).toFixed(1)}x the seed's 1,111/s); dispatcher CPU ${result.cpuMsPerSend.toFixed(3)} ms/send, ` +
        `push service CPU ${result.pushCpuMsPerSend.toFixed(3)} ms/send; ${accepted} pushes accepted, ${events.length} dispatch events; ` +
        `load ${loadBefore} -> ${loadAfter}`,
    );
    return result;
  } finally {
    for (const d of dispatchers) await d.stop();
    await deleteTestTopics(topics);
  }
}

const results: RunResult[] = [];
for (let r = 0; r < RUNS; r++) {
  for (const processes of PROCESSES) results.push(await run(processes));
}
if (RUNS > 1) {
  for (const processes of PROCESSES) {
    const mine = results.filter((r) => r.processes === processes);
    console.log(
      `median of ${RUNS} runs, ${processes} dispatcher(s): ${median(mine.map((r) => r.sendsPerSecond)).toFixed(0)} sends/s, ` +
        `${median(mine.map((r) => r.cpuMsPerSend)).toFixed(3)} ms CPU/send`,
    );
  }
}
console.log(`uptime: ${execFileSync('uptime').toString().trim()}`);
await push.stop();
await pool.end();
