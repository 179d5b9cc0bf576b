import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createDispatcherMetrics } from '@hoot/dispatcher';
import { EngineMetrics, SinkMetrics } from '@hoot/processor';
import { Registry } from 'prom-client';
import { parse } from 'yaml';

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

/** Label names each exposed metric has; undefined where only the name is known. */
type MetricCatalog = Map<string, readonly string[] | undefined>;

/**
 * Every metric the services expose: those their exported metric classes register (engine and
 * sink names are built from a prefix, so only a registry knows them), plus every metric created
 * with a literal `name: 'hoot_…'` in packages/<name>/src (the api's, the dispatcher's gauges).
 */
function exposedMetrics(): MetricCatalog {
  const catalog: MetricCatalog = new Map();
  const registry = new Registry();
  new EngineMetrics(registry);
  new SinkMetrics(registry);
  const dispatcher = createDispatcherMetrics(new Registry());
  for (const metric of [...registry.getMetricsAsArray(), ...dispatcher.registry.getMetricsAsArray()]) {
    // prom-client keeps each metric's label names on it, though its type does not say so.
    catalog.set(metric.name, (metric as typeof metric & { labelNames: readonly string[] }).labelNames);
  }
  for (const file of sourceFiles(join(root, 'packages'))) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\bname:\s*['"](hoot_\w+)['"]/g)) {
      // The label names, when the same object literal lists them.
      const rest = source.slice(match.index, source.indexOf('})', match.index));
      const labels = rest.match(/labelNames:\s*\[([^\]]*)\]/)?.[1]?.match(/\w+/g) ?? [];
      if (!catalog.has(match[1]!)) catalog.set(match[1]!, labels);
    }
  }
  return catalog;
}

function* sourceFiles(packagesDir: string): Generator<string> {
  for (const pkg of readdirSync(packagesDir)) {
    const src = join(packagesDir, pkg, 'src');
    let entries: string[];
    try {
      entries = readdirSync(src, { recursive: true, encoding: 'utf8' });
    } catch {
      continue;
    }
    for (const entry of entries) if (entry.endsWith('.ts')) yield join(src, entry);
  }
}

/** Operators and aggregations: `max by (job) (x)` puts no `(` right after `max`. */
const KEYWORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);
/** Series Prometheus makes for every target itself, and the labels it adds to every series. */
const SCRAPE_SERIES = new Set(['up']);
const TARGET_LABELS = new Set(['job', 'instance']);

/**
 * The metric names a PromQL expression reads, with the label names its matchers use on each:
 * identifiers outside strings, label matchers, ranges and grouping lists that are neither
 * functions (followed by `(`) nor keywords.
 */
function metricsOf(expr: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1')
    .replace(/\[[^\]]*\]/g, '');
  for (const m of bare.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)\s*(\{[^}]*\})?(\s*\()?/g)) {
    const [, name, matchers, call] = m;
    if (call !== undefined || KEYWORDS.has(name!.toLowerCase())) continue;
    const labels = found.get(name!) ?? new Set<string>();
    for (const l of matchers?.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g) ?? []) labels.add(l[1]!);
    found.set(name!, labels);
  }
  return found;
}

/** What is wrong with the metrics and label names `expr` reads, against the services' catalog. */
function metricProblems(expr: string, catalog: MetricCatalog): string[] {
  const problems: string[] = [];
  for (const [name, labels] of metricsOf(expr)) {
    if (SCRAPE_SERIES.has(name)) continue;
    const base = catalog.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    if (!catalog.has(base)) {
      problems.push(`${name} is exposed by no service`);
      continue;
    }
    const known = catalog.get(base);
    const extra = base === name ? [] : ['le'];
    for (const label of labels) {
      if (
        known !== undefined &&
        !TARGET_LABELS.has(label) &&
        !known.includes(label) &&
        !extra.includes(label)
      ) {
        problems.push(`${name} has no label ${label} (it has ${known.join(', ') || 'none'})`);
      }
    }
  }
  return problems;
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
