// Test harness: the campaign-reporting pipeline (processor services as OS processes, on topics
// and a database of the test's own) fed with a generated workload and compared with its truth.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, withDatabase } from '@hoot/db';
import { anyTimestampTopicConfig, createBuiltinCatalog } from '@hoot/events';
import { createMissingTopics, javaCompatiblePartitioner } from '@hoot/kafka';
import {
  type Figures,
  type Workload,
  type WorkloadRecord,
  type WorkloadTopics,
  waitForGroup,
  writeRecords,
} from '@hoot/workload';
import pg from 'pg';
import {
  deleteTopicsWithPrefix,
  kafka,
  uniqueName,
} from '../../../streams/test/integration/harness/kafka.ts';
import { AppProcess } from '../../../streams/test/integration/harness/processes.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const FIGURES = ['sent', 'impressions', 'clicks', 'orders', 'revenue_minor'] as const;

export class CampaignPipeline {
  readonly id = uniqueName('campaigns');
  readonly topics: WorkloadTopics & { reporting: string };
  readonly databaseUrl: string;
  readonly #dirs: string[] = [];
  readonly processes: AppProcess[] = [];
  readonly #baseUrl: string;
  #port = 19500 + Math.floor(Math.random() * 400);

  constructor(
    baseDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hoot_test',
  ) {
    this.#baseUrl = baseDatabaseUrl;
    this.databaseUrl = withDatabase(baseDatabaseUrl, this.id.replaceAll('-', '_'));
    this.topics = {
      ping: `${this.id}-ping`,
      dispatch: `${this.id}-dispatch`,
      orders: `${this.id}-orders`,
      reporting: `${this.id}-reporting`,
    };
  }

  async prepare(): Promise<void> {
    await migrate(this.databaseUrl);
    const admin = kafka.admin();
    await admin.connect();
    await createMissingTopics(admin, [
      // The workload's events are weeks old: time retention must not delete them before use.
      ...[this.topics.ping, this.topics.dispatch, this.topics.orders].map((topic) => ({
        topic,
        numPartitions: 6,
        configEntries: [
          { name: 'retention.ms', value: '-1' },
          ...Object.entries(anyTimestampTopicConfig).map(([name, value]) => ({ name, value })),
        ],
      })),
      {
        topic: this.topics.reporting,
        numPartitions: 6,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ]);
    await admin.disconnect();
  }

  newStateDir(): string {
    const dir = mkdtempSync(join(tmpdir(), `${this.id}-`));
    this.#dirs.push(dir);
    return dir;
  }

  /** A processor service process (topology and sink unless `roles` says otherwise). */
  start(stateDir: string, env: Record<string, string> = {}): AppProcess {
    const child = new AppProcess(
      {
        APPLICATION_ID: this.id,
        STATE_DIR: stateDir,
        DATABASE_URL: this.databaseUrl,
        PING_TOPIC: this.topics.ping,
        DISPATCH_TOPIC: this.topics.dispatch,
        ORDERS_TOPIC: this.topics.orders,
        REPORTING_TOPIC: this.topics.reporting,
        KAFKA_TOPIC_PARTITIONS: '6',
        HTTP_PORT: String(this.#port++),
        LOG_LEVEL: 'info',
        ...env,
      },
      MAIN,
    );
    this.processes.push(child);
    return child;
  }

  /** Writes one phase of the workload. */
  async write(batches: Iterable<WorkloadRecord[]>): Promise<number> {
    const producer = kafka.producer({ idempotent: true, createPartitioner: javaCompatiblePartitioner });
    await producer.connect();
    try {
      return await writeRecords(producer, createBuiltinCatalog(), batches, this.topics);
    } finally {
      await producer.disconnect();
    }
  }

  /** Waits until the topology has taken everything written so far (and its own repartitions). */
  async drain(timeoutMs = 300_000): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitForGroup(admin, this.id, [this.topics.ping, this.topics.dispatch, this.topics.orders], {
        timeoutMs,
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** Differences between Postgres and the workload's truth; empty when every figure is right. */
  async differences(workload: Workload): Promise<string[]> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      const totals = await client.query(
        `SELECT merchant_id, source, source_id, ${FIGURES.join(', ')} FROM campaign_reports`,
      );
      const hourly = await client.query(
        `SELECT merchant_id, source, source_id, extract(epoch FROM hour)::bigint * 1000 AS hour, ${FIGURES.join(', ')}
         FROM campaign_hourly_reports`,
      );
      const rowFigures = (row: Record<string, string>): Figures =>
        Object.fromEntries(FIGURES.map((f) => [f, Number(row[f])])) as unknown as Figures;
      const keyOf = (row: Record<string, string>) => `${row.merchant_id}/${row.source}/${row.source_id}`;
      const actual = new Map<string, Figures>();
      for (const row of totals.rows) actual.set(`${keyOf(row)}@total`, rowFigures(row));
      for (const row of hourly.rows)
        actual.set(`${keyOf(row)}@${new Date(Number(row.hour)).toISOString()}`, rowFigures(row));
      const expected = new Map<string, Figures>();
      for (const [campaign, truth] of workload.truth.campaigns) {
        expected.set(`${campaign}@total`, truth.total);
        for (const [hour, figures] of truth.hours)
          expected.set(`${campaign}@${new Date(hour).toISOString()}`, figures);
      }
      const zero = { sent: 0, impressions: 0, clicks: 0, orders: 0, revenue_minor: 0 };
      const out: string[] = [];
      for (const key of new Set([...expected.keys(), ...actual.keys()])) {
        const want = expected.get(key) ?? zero;
        const got = actual.get(key) ?? zero;
        const wrong = FIGURES.filter((f) => want[f] !== got[f]);
        if (wrong.length > 0)
          out.push(`${key}: ${wrong.map((f) => `${f} ${got[f]} (want ${want[f]})`).join(', ')}`);
      }
      return out.sort();
    } finally {
      await client.end();
    }
  }

  /** Polls until Postgres equals the truth; returns the last differences (empty on success). */
  async settle(workload: Workload, timeoutMs = 300_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let last: string[] = [];
    while (Date.now() < deadline) {
      last = await this.differences(workload).catch((error: unknown) => [String(error)]);
      if (last.length === 0) return last;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return last;
  }

  /** Warnings and errors the processes logged, for a failing test's message. */
  problems(): string[] {
    return this.processes.flatMap((p) =>
      p.logs
        .filter((l) => l.level >= 50)
        .map((l) => `${p.pid}: ${l.msg} ${JSON.stringify(l.err ?? '').slice(0, 300)}`),
    );
  }

  /** Processes that exited on their own with a failure (not killed, not stopped). */
  crashed(): string[] {
    return this.processes
      .filter((p) => p.child.exitCode !== null && p.child.exitCode !== 0)
      .map((p) => `${p.pid} exited ${p.child.exitCode}: ${p.stderr.slice(0, 500)}`);
  }

  /** Every process's log lines into one file, for a failing test to point at. */
  dumpLogs(): string {
    const path = join(tmpdir(), `${this.id}.log`);
    writeFileSync(
      path,
      this.processes.flatMap((p) => p.logs.map((l) => JSON.stringify({ pid: p.pid, ...l }))).join('\n'),
    );
    return path;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    if (process.env.HOOT_KEEP_TEST_DATA === '1') return;
    for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
    await deleteTopicsWithPrefix(this.id);
    const admin = new pg.Client({ connectionString: withDatabase(this.#baseUrl, 'postgres') });
    await admin.connect();
    await admin
      .query(`DROP DATABASE IF EXISTS "${this.id.replaceAll('-', '_')}" WITH (FORCE)`)
      .catch(() => {});
    await admin.end();
  }
}
