// The campaign pipeline on a broker of the test's own, through the faults a broker goes through in
// production: rolling restarts, an outage, a hung (frozen) process. Each test ends with every
// Postgres figure equal to the workload's ground truth, no processor process exited, and none
// reporting a stalled task. Recovery times are printed as `# …` lines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type CampaignReport,
  campaignReportSchema,
  createAvroSerde,
  createBuiltinCatalog,
  valueSubject,
} from '@hoot/events';
import { javaCompatiblePartitioner } from '@hoot/kafka';
import { freePort } from '@hoot/runtime';
import { PrivateBroker, Workload, type WorkloadRecord, writeRecords } from '@hoot/workload';
import type { Kafka, Producer } from 'kafkajs';
import type { AppProcess } from '../../../streams/test/integration/harness/processes.ts';
import type { CampaignPipeline } from './pipeline.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(1);

// The workloads' seeds give every one of the 6 partitions some campaigns: stream time is per
// partition, and a partition that never saw a ping cannot tell that a ping is too late.
const broker = new PrivateBroker();
// Loaded once KAFKA_BROKERS names the private broker: the harness reads it at module load.
let Pipeline: typeof CampaignPipeline;
let kafka: Kafka;
let readAll: typeof import('../../../streams/test/integration/harness/kafka.ts').readAll;

/** Runs `work` until it succeeds: the broker may be down or restarting at any moment. */
async function untilItWorks<T>(work: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/**
 * Writes a workload phase in chunks spread over `spanMs`, as a producer outside the pipeline
 * would, surviving the faults: a chunk that fails is written again with a new producer once the
 * broker answers. A retried chunk may land twice; the topology counts each notification and
 * order once, so the truth stays the truth. Returns how many chunks had to be retried.
 */
async function writeSurviving(
  pipeline: CampaignPipeline,
  batches: Iterable<WorkloadRecord[]>,
  spanMs: number,
  chunkRecords = 250,
): Promise<number> {
  const chunks: WorkloadRecord[][] = [];
  for (const batch of batches) {
    for (let i = 0; i < batch.length; i += chunkRecords) chunks.push(batch.slice(i, i + chunkRecords));
  }
  const catalog = createBuiltinCatalog();
  let producer: Producer | undefined;
  let retried = 0;
  for (const chunk of chunks) {
    for (let attempt = 0; ; attempt++) {
      try {
        if (producer === undefined) {
          const fresh = kafka.producer({
            createPartitioner: javaCompatiblePartitioner,
            retry: { retries: 3, initialRetryTime: 200 },
          });
          await fresh.connect();
          producer = fresh;
        }
        await writeRecords(producer, catalog, [chunk], pipeline.topics);
        break;
      } catch {
        if (attempt === 0) retried++;
        await producer?.disconnect().catch(() => {});
        producer = undefined;
        await sleep(500);
      }
    }
    await sleep(spanMs / chunks.length);
  }
  await producer?.disconnect().catch(() => {});
  return retried;
}

/** What each processor's /readyz says (status and body), by HTTP port. */
async function readiness(ports: number[]): Promise<string[]> {
  return Promise.all(
    ports.map(async (port) => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      return `${port}: ${response.status} ${await response.text()}`;
    }),
  );
}

/**
 * A pipeline with two processor processes (each streams and sink) on the private broker, and
 * what a test asserts at its end.
 */
class FaultRun {
  readonly pipeline = new Pipeline();
  readonly ports: number[] = [];
  readonly processes: AppProcess[] = [];

  async start(): Promise<void> {
    await this.pipeline.prepare();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      this.ports.push(port);
      this.processes.push(
        this.pipeline.start(this.pipeline.newStateDir(), {
          KAFKA_BROKERS: broker.brokers,
          HTTP_PORT: String(port),
        }),
      );
    }
    await Promise.all(this.processes.map((p) => p.waitForLog((l) => l.msg === 'processor running', 120_000)));
  }

  /**
   * Times from `backAt` (the broker answering again) until the group has taken every input
   * written (lag zero) and until Postgres equals the truth so far; prints them.
   */
  async recovery(fault: string, workload: Workload, backAt: number): Promise<void> {
    await untilItWorks(() => this.pipeline.drain(120_000)).catch(async (error: Error) => {
      throw new Error(
        `after ${fault}: ${error.message}; ${(await readiness(this.ports).catch(() => [])).join(' | ')}; logs in ${this.pipeline.dumpLogs()}`,
      );
    });
    const lagZero = performance.now() - backAt;
    const differences = await this.pipeline.settle(workload, 120_000);
    const exact = performance.now() - backAt;
    console.log(
      `# ${fault}: broker back -> lag zero ${seconds(lagZero)} s, -> Postgres equal to the truth ${seconds(exact)} s`,
    );
    assert.deepEqual(
      differences.slice(0, 20),
      [],
      `after ${fault}: ${differences.length} figures differ; logs in ${this.pipeline.dumpLogs()}\n${await this.onTopic(differences)}`,
    );
  }

  /**
   * For a failing test: what the reporting topic last says for each figure that differs, which
   * tells the topology's fault (the topic is wrong too) from the sink's (only Postgres is).
   */
  async onTopic(differences: string[]): Promise<string> {
    if (differences.length === 0) return '';
    const topic = this.pipeline.topics.reporting;
    const serde = createAvroSerde<CampaignReport>({
      registry: createBuiltinCatalog(),
      subject: valueSubject(topic),
      schema: campaignReportSchema,
    });
    const last = new Map<string, CampaignReport>();
    for (const record of await readAll(topic).catch(() => [])) {
      if (record.value === null) continue;
      const r = await serde.decode(record.value);
      const at = r.window_start === null ? 'total' : new Date(Number(r.window_start)).toISOString();
      last.set(`${r.merchant}/${r.source}/${r.source_id}@${at}`, r);
    }
    return differences
      .slice(0, 10)
      .map((d) => {
        const r = last.get(d.slice(0, d.indexOf(':', d.indexOf('@'))));
        return r === undefined
          ? `${d} | not on the topic`
          : `${d} | topic: sent ${r.sent}, impressions ${r.impressions}, clicks ${r.clicks}, orders ${r.orders}`;
      })
      .join('\n');
  }

  /** The remaining phases (orders, then pings too late to count), and every figure exact. */
  async finish(workload: Workload): Promise<void> {
    await writeSurviving(this.pipeline, workload.orders(), 0);
    await untilItWorks(() => this.pipeline.drain(120_000));
    await writeSurviving(this.pipeline, workload.tooLate(), 0);
    await untilItWorks(() => this.pipeline.drain(120_000));
    const differences = await this.pipeline.settle(workload, 120_000);
    assert.deepEqual(
      differences.slice(0, 20),
      [],
      `${differences.length} figures differ; logs in ${this.pipeline.dumpLogs()}\n${await this.onTopic(differences)}`,
    );
    assert.ok(workload.truth.sum('clicks') > 0 && workload.truth.sum('orders') > 0);
    assert.deepEqual(this.pipeline.crashed(), [], 'no processor process crashed');
    assert.ok(
      this.processes.every((p) => p.child.exitCode === null && p.child.signalCode === null),
      'every processor process still runs',
    );
    const ready = await readiness(this.ports);
    assert.ok(
      ready.every((r) => / 200 /.test(r)),
      `no task stayed stalled, every processor ready: ${ready.join(' | ')}`,
    );
    // The next test's processes have the broker and the cores to themselves.
    await Promise.all(this.processes.map((p) => p.stop()));
  }

  /** Log lines of the processes at warning level or above, counted by message. */
  warnings(): string {
    const counts = new Map<string, number>();
    // kafkajs' "Response <request>" lines only repeat the error of the line next to them.
    for (const p of this.processes)
      for (const l of p.logs)
        if (l.level >= 40 && !l.msg.startsWith('Response ')) counts.set(l.msg, (counts.get(l.msg) ?? 0) + 1);
    return [...counts].map(([msg, n]) => `${n}x ${msg}`).join('; ');
  }

  cleanup(): Promise<void> {
    return this.pipeline.cleanup();
  }
}

describe('campaign reporting on a broker that fails', () => {
  const runs: FaultRun[] = [];
  const newRun = () => {
    const run = new FaultRun();
    runs.push(run);
    return run;
  };
  before(async () => {
    await broker.start();
    process.env.KAFKA_BROKERS = broker.brokers;
    ({ CampaignPipeline: Pipeline } = await import('./pipeline.ts'));
    ({ kafka, readAll } = await import('../../../streams/test/integration/harness/kafka.ts'));
  });
  after(async () => {
    await broker.thaw();
    for (const run of runs) await run.cleanup().catch(() => {});
    await broker.destroy();
  });

  it('stays exact with the broker restarted 10 times at random moments while the workload is written and processed', async () => {
    const run = newRun();
    await run.start();
    const workload = new Workload({ seed: 41, notifications: 3_000, merchants: 6 });
    const writing = writeSurviving(run.pipeline, workload.main(), 40_000);
    let backAt = 0;
    const restarts: number[] = [];
    for (let i = 0; i < 10; i++) {
      await sleep(500 + Math.random() * 2_500);
      const started = performance.now();
      await broker.restart();
      backAt = performance.now();
      restarts.push(backAt - started);
    }
    console.log(`# restarts took ${restarts.map(seconds).join(', ')} s each (stop and start)`);
    const retried = await writing;
    console.log(`# the writer retried ${retried} chunks`);
    await run.recovery('the 10th restart', workload, backAt);
    await run.finish(workload);
    console.log(`# warnings logged: ${run.warnings()}`);
  });

  it('stays exact with the broker stopped for 60 s and started again', async () => {
    const run = newRun();
    await run.start();
    const workload = new Workload({ seed: 43, notifications: 3_000, merchants: 6 });
    const writing = writeSurviving(run.pipeline, workload.main(), 12_000);
    await sleep(4_000);
    await broker.stop();
    await sleep(60_000);
    await broker.start();
    const backAt = performance.now();
    const retried = await writing;
    console.log(`# the writer retried ${retried} chunks`);
    await run.recovery('a 60 s stop', workload, backAt);
    await run.finish(workload);
    console.log(`# warnings logged: ${run.warnings()}`);
  });

  it('stays exact with the broker frozen (SIGSTOP) for 20 s and resumed', async () => {
    const run = newRun();
    await run.start();
    const workload = new Workload({ seed: 49, notifications: 3_000, merchants: 6 });
    const writing = writeSurviving(run.pipeline, workload.main(), 12_000);
    await sleep(4_000);
    await broker.freeze();
    await sleep(20_000);
    await broker.thaw();
    const backAt = performance.now();
    const retried = await writing;
    console.log(`# the writer retried ${retried} chunks`);
    await run.recovery('a 20 s freeze', workload, backAt);
    await run.finish(workload);
    console.log(`# warnings logged: ${run.warnings()}`);
  });
});
