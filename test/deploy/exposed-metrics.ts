import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createArchiverMetrics } from '@hoot/archiver';
import { createDispatcherMetrics } from '@hoot/dispatcher';
import { SinkMetrics } from '@hoot/processor';
import { EngineMetrics } from '@hoot/streams';
import { Registry } from 'prom-client';

const root = fileURLToPath(new URL('../../', import.meta.url));

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface ExposedMetric {
  /** Undefined where the source does not say. */
  type: MetricType | undefined;
  /** Undefined where only the name is known. */
  labels: readonly string[] | undefined;
}

/** Every metric a service exposes, by name. */
export type MetricCatalog = Map<string, ExposedMetric>;

const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary']);
function typeOf(name: string | undefined): MetricType | undefined {
  const type = name?.toLowerCase();
  return type !== undefined && TYPES.has(type) ? (type as MetricType) : undefined;
}

/**
 * Every metric the services expose: those their exported metric classes register (engine and
 * sink names are built from a prefix, so only a registry knows them), plus every metric created
 * with a literal `name: 'hoot_…'` in packages/<name>/src (the api's, the dispatcher's gauges).
 */
export function exposedMetrics(): MetricCatalog {
  const catalog: MetricCatalog = new Map();
  const registry = new Registry();
  new EngineMetrics(registry);
  new SinkMetrics(registry);
  const dispatcher = createDispatcherMetrics(new Registry());
  const archiver = createArchiverMetrics(new Registry());
  for (const metric of [
    ...registry.getMetricsAsArray(),
    ...dispatcher.registry.getMetricsAsArray(),
    ...archiver.registry.getMetricsAsArray(),
  ]) {
    // prom-client keeps each metric's label names on it, though its type does not say so.
    catalog.set(metric.name, {
      type: typeOf(metric.constructor.name),
      labels: (metric as typeof metric & { labelNames: readonly string[] }).labelNames,
    });
  }
  for (const file of sourceFiles(join(root, 'packages'))) {
    const source = readFileSync(file, 'utf8');
    const constructors = [...source.matchAll(/\bnew (Counter|Gauge|Histogram|Summary)\b/g)];
    for (const match of source.matchAll(/\bname:\s*['"](hoot_\w+)['"]/g)) {
      // The label names, when the same object literal lists them.
      const rest = source.slice(match.index, source.indexOf('})', match.index));
      const labels = rest.match(/labelNames:\s*\[([^\]]*)\]/)?.[1]?.match(/\w+/g) ?? [];
      // The type, from the constructor the object literal is given to.
      const type = typeOf(constructors.findLast((c) => c.index < match.index)?.[1]);
      if (!catalog.has(match[1]!)) catalog.set(match[1]!, { type, labels });
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
export const TARGET_LABELS = new Set(['job', 'instance']);

/**
 * The metric names a PromQL expression reads, with the label names its matchers use on each:
 * identifiers outside strings, label matchers, ranges and grouping lists that are neither
 * functions (followed by `(`) nor keywords.
 */
export function metricsOf(expr: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1')
    .replace(/\[[^\]]*\]/g, '');
  for (const m of bare.matchAll(/(?<![\w:.$])([a-zA-Z_:][\w:]*)\s*(\{[^}]*\})?(\s*\()?/g)) {
    const [, name, matchers, call] = m;
    if (call !== undefined || KEYWORDS.has(name!.toLowerCase())) continue;
    const labels = found.get(name!) ?? new Set<string>();
    for (const l of matchers?.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g) ?? []) labels.add(l[1]!);
    found.set(name!, labels);
  }
  return found;
}

/** The exposed metric a series name belongs to: itself, or the histogram or summary behind a suffix. */
export function seriesOf(
  name: string,
  catalog: MetricCatalog,
): { base: string; suffix: string; metric: ExposedMetric } | undefined {
  const metric = catalog.get(name);
  if (metric !== undefined) return { base: name, suffix: '', metric };
  const [, base, suffix] = name.match(/^(\w+)_(bucket|sum|count)$/) ?? [];
  const parent = base === undefined ? undefined : catalog.get(base);
  return parent === undefined ? undefined : { base: base!, suffix: suffix!, metric: parent };
}

/** What is wrong with the metrics and label names `expr` reads, against the services' catalog. */
export function metricProblems(expr: string, catalog: MetricCatalog): string[] {
  const problems: string[] = [];
  for (const [name, labels] of metricsOf(expr)) {
    if (SCRAPE_SERIES.has(name)) continue;
    const series = seriesOf(name, catalog);
    if (series === undefined) {
      problems.push(`${name} is exposed by no service`);
      continue;
    }
    const { suffix, metric } = series;
    const wrongSuffix =
      suffix === 'bucket'
        ? metric.type !== 'histogram'
        : metric.type !== 'histogram' && metric.type !== 'summary';
    if (suffix !== '' && metric.type !== undefined && wrongSuffix) {
      problems.push(`${name}: ${series.base} is a ${metric.type}, it has no _${suffix} series`);
    }
    const known = metric.labels;
    const extra =
      suffix === 'bucket' ? ['le'] : metric.type === 'summary' && suffix === '' ? ['quantile'] : [];
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
