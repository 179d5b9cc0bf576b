import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { exposedMetrics, metricProblems, metricsOf } from './exposed-metrics.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const RULES = 'deploy/prometheus/alerts.yml';
const RULE_TESTS = 'deploy/prometheus/alerts.test.yml';

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (
  parse(readFileSync(join(root, RULES), 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }
).groups.flatMap((g) => g.rules);

/** Runs promtool from the repository root; `./hoot test` installs it (Debian's prometheus). */
function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: root, encoding: 'utf8' });
  if (run.error !== undefined) {
    assert.fail(
      `cannot run promtool (${run.error.message}); ./hoot test installs Debian's prometheus package`,
    );
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('Prometheus alert rules', () => {
  it('pass promtool check rules', () => {
    const { status, output } = promtool('check', 'rules', RULES);
    assert.equal(status, 0, output);
  });

  it('pass their promtool unit tests', () => {
    const { status, output } = promtool('test', 'rules', RULE_TESTS);
    assert.equal(status, 0, output);
  });

  it('read only metrics and labels the services expose', () => {
    const catalog = exposedMetrics();
    assert.ok(catalog.has('hoot_engine_consumer_lag_records'), 'the catalog holds prefixed engine metrics');
    assert.ok(catalog.has('hoot_api_pings_accepted_total'), 'the catalog holds the api metrics');
    for (const rule of rules) {
      assert.ok(metricsOf(rule.expr).size > 0, `${rule.alert} reads a metric`);
      assert.deepEqual(metricProblems(rule.expr, catalog), [], `${rule.alert}: ${rule.expr}`);
    }
  });

  it('each have a severity, a summary and a description naming their runbook in the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const rule of rules) {
      assert.match(rule.labels?.severity ?? '', /^(warning|critical)$/, `${rule.alert} severity`);
      assert.ok(rule.annotations?.summary, `${rule.alert} has a summary`);
      assert.ok(
        rule.annotations?.description?.includes(`Runbook: README.md, Alerts, ${rule.alert}.`),
        `${rule.alert}'s description names its runbook`,
      );
      assert.ok(readme.includes(`**${rule.alert}**`), `README.md's Alerts section explains ${rule.alert}`);
    }
  });

  it('are tested, each at least once firing', () => {
    const tests = (
      parse(readFileSync(join(root, RULE_TESTS), 'utf8')) as {
        tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
      }
    ).tests.flatMap((t) => t.alert_rule_test ?? []);
    const firing = new Set(tests.filter((t) => (t.exp_alerts ?? []).length > 0).map((t) => t.alertname));
    assert.deepEqual(
      rules.map((r) => r.alert).filter((a) => !firing.has(a)),
      [],
      'alerts without a firing test',
    );
    assert.ok(
      tests.some((t) => (t.exp_alerts ?? []).length === 0),
      'at least one test expects no alert',
    );
  });

  it('are loaded by the Prometheus of docker-compose.yml', () => {
    const config = parse(readFileSync(join(root, 'infra/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files?: string[];
    };
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
      services: { prometheus?: { volumes?: string[] } };
    };
    const mounts = new Map(
      (compose.services.prometheus?.volumes ?? []).map((v) => {
        const [from, to] = v.split(':');
        return [to, from] as const;
      }),
    );
    const configDir = '/etc/prometheus';
    const loaded = (config.rule_files ?? []).map((f) =>
      mounts.get(f.startsWith('/') ? f : `${configDir}/${f}`),
    );
    assert.ok(
      loaded.some((from) => from !== undefined && relative(root, join(root, from)) === RULES),
      `prometheus.yml's rule_files name the path docker-compose.yml mounts ${RULES} at`,
    );
  });
});
