// The metrics the alert rules and the Grafana dashboards read, against what the running services
// really expose: the api, the dispatcher, a processor (streams and sink) and the archiver are
// started on the test broker and database with topics and groups of their own (the archiver, which
// reads only Hoot's topics, a group of its own on campaign-send-requests and a directory), and
// their /metrics scraped. The offline
// tests check the same queries against the metric definitions in the source; this one catches a
// metric defined but never registered on the service's registry, or registered under another
// name at run time.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sharedTopicConfigs, Topics } from '@hoot/events';
import { createMissingTopics } from '@hoot/kafka';
import { freePort } from '@hoot/runtime';
import { Kafka, logLevel } from 'kafkajs';
import { parse } from 'yaml';
import { type MetricType, metricsOf } from './exposed-metrics.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hoot_test';

/** Every PromQL expression of the alert rules and of the dashboards' panels, with where it is. */
function queries(): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const rules = parse(readFileSync(join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ alert?: string; expr: string }> }>;
  };
  for (const rule of rules.groups.flatMap((g) => g.rules))
    out.push({ where: `alert ${rule.alert}`, expr: rule.expr });
  type Panel = { title?: string; panels?: Panel[]; targets?: Array<{ expr?: string }> };
  const dir = join(root, 'deploy/grafana/dashboards');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const walk = (panels: Panel[] = []) => {
      for (const panel of panels) {
        for (const target of panel.targets ?? [])
          if (target.expr !== undefined) out.push({ where: `${file} "${panel.title}"`, expr: target.expr });
        walk(panel.panels);
      }
    };
    walk((JSON.parse(readFileSync(join(dir, file), 'utf8')) as { panels: Panel[] }).panels);
  }
  return out;
}

/** `# TYPE` lines of a Prometheus text exposition: metric name to type. */
function exposition(text: string): Map<string, MetricType> {
  const types = new Map<string, MetricType>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1]!, m[2] as MetricType);
  return types;
}

describe('metrics the alerts and dashboards read', () => {
  const children: ChildProcess[] = [];
  const scraped = new Map<string, MetricType>();
  const id = `it-metrics-${process.pid}-${Date.now().toString(36)}`;
  const archive = mkdtempSync(join(tmpdir(), 'hoot-scraped-archive-'));

  const spawnService = async (service: string, portVariable: string, env: Record<string, string>) => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(root, `packages/${service}/src/main.ts`)], {
      env: {
        ...process.env,
        KAFKA_BROKERS: brokers,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
        PING_TOKEN_SECRETS: 'scraped-metrics-test-secret-0123456789abcdef',
        [portVariable]: String(port),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return { service, port, child };
  };

  /**
   * Starts a service and waits until it is ready. A free port can be taken by another process
   * between its choice and the service's bind (tests run side by side): a service that exits
   * before it is ready is started again on another port, twice at most.
   */
  const start = async (service: string, portVariable: string, env: Record<string, string>) => {
    for (let attempt = 1; ; attempt++) {
      const started = await spawnService(service, portVariable, env);
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (started.child.exitCode !== null) break;
        const ready = await fetch(`http://127.0.0.1:${started.port}/readyz`).catch(() => undefined);
        if (ready?.ok) return started;
        if (Date.now() > deadline) throw new Error(`${service} not ready in 90 s`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      if (attempt === 3)
        throw new Error(`${service} exited with ${started.child.exitCode}, ${attempt} times`);
    }
  };

  before(async () => {
    const topics = {
      PING_TOPIC: `${id}-ping`,
      DISPATCH_TOPIC: `${id}-dispatch`,
      ORDERS_TOPIC: `${id}-orders`,
      CAMPAIGN_SEND_TOPIC: `${id}-send-requests`,
    };
    // The archiver archives existing topics only.
    const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await createMissingTopics(
        admin,
        sharedTopicConfigs({ partitions: 2, replicationFactor: 1 }).filter(
          (c) => c.topic === Topics.campaignSendRequests,
        ),
      );
    } finally {
      await admin.disconnect();
    }
    const services = await Promise.all([
      start('api', 'PORT', {
        PING_TOPIC: topics.PING_TOPIC,
        ORDERS_TOPIC: topics.ORDERS_TOPIC,
        CAMPAIGN_SEND_TOPIC: topics.CAMPAIGN_SEND_TOPIC,
      }),
      start('dispatcher', 'HTTP_PORT', {
        DISPATCHER_GROUP_ID: `${id}-dispatcher`,
        SEND_REQUESTS_TOPIC: topics.CAMPAIGN_SEND_TOPIC,
        SEND_BATCHES_TOPIC: `${id}-send-batches`,
        DISPATCH_TOPIC: topics.DISPATCH_TOPIC,
      }),
      start('processor', 'HTTP_PORT', {
        APPLICATION_ID: id,
        PING_TOPIC: topics.PING_TOPIC,
        DISPATCH_TOPIC: topics.DISPATCH_TOPIC,
        ORDERS_TOPIC: topics.ORDERS_TOPIC,
        REPORTING_TOPIC: `${id}-reporting`,
      }),
      start('archiver', 'HTTP_PORT', {
        ARCHIVER_GROUP_ID: `${id}-archiver`,
        ARCHIVE_TOPICS: Topics.campaignSendRequests,
        ARCHIVE_URL: archive,
      }),
    ]);
    for (const { port } of services) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      for (const [name, type] of exposition(text)) scraped.set(name, type);
    }
  });

  after(async () => {
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(archive, { recursive: true, force: true });
  });

  it('are every one exposed by a running service, histograms as histograms', () => {
    const missing: string[] = [];
    for (const { where, expr } of queries()) {
      for (const name of metricsOf(expr).keys()) {
        if (name === 'up') continue; // Prometheus' own, per target
        const [, base, suffix] = name.match(/^(\w+)_(bucket|sum|count)$/) ?? [];
        const type = scraped.get(name) ?? (base === undefined ? undefined : scraped.get(base));
        if (type === undefined) missing.push(`${where}: ${name} is not on any service's /metrics`);
        else if (!scraped.has(name) && suffix === 'bucket' && type !== 'histogram')
          missing.push(`${where}: ${name} reads buckets of a ${type}`);
      }
    }
    assert.ok(scraped.size > 50, `scraped ${scraped.size} metrics`);
    assert.deepEqual([...new Set(missing)], []);
  });
});
