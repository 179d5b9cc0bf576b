import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { exposedMetrics, metricProblems, metricsOf, seriesOf, TARGET_LABELS } from './exposed-metrics.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DASHBOARDS = 'deploy/grafana/dashboards';
const DATASOURCES = 'deploy/grafana/provisioning/datasources/prometheus.yml';
const PROVIDERS = 'deploy/grafana/provisioning/dashboards/hoot.yml';
/** Grafana reads its provisioning files from here. */
const PROVISIONING_DIR = '/etc/grafana/provisioning';

interface Target {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  templating?: { list?: Array<{ name: string; type: string; query?: string }> };
  panels?: Panel[];
}

const dashboardFiles = readdirSync(join(root, DASHBOARDS)).filter((f) => f.endsWith('.json'));
/** Each dashboard file, parsed; a file that does not parse fails its own test below. */
function readDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(join(root, DASHBOARDS, file), 'utf8')) as Dashboard;
}

const datasources = (
  parse(readFileSync(join(root, DATASOURCES), 'utf8')) as {
    datasources: Array<{ name: string; uid: string; type: string; url: string }>;
  }
).datasources;
const prometheus = datasources.find((d) => d.type === 'prometheus');

/** Panels, with those of collapsed rows. */
function panelsOf(dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
}

/** The datasource uids a panel or target may name: the provisioned one or the dashboard's variable. */
function datasourceUids(dashboard: Dashboard): Set<string> {
  const uids = new Set(prometheus === undefined ? [] : [prometheus.uid]);
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type === 'datasource' && v.query === 'prometheus') uids.add(`\${${v.name}}`).add(`$${v.name}`);
  }
  return uids;
}

/** Where a path inside a compose service's container comes from, relative to the repository. */
function hostPathOf(service: string, containerPath: string): string | undefined {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { volumes?: string[] }>;
  };
  for (const volume of compose.services[service]?.volumes ?? []) {
    const [from, to] = volume.split(':');
    if (from === undefined || to === undefined || !from.startsWith('.')) continue;
    const rest = posix.relative(to, containerPath);
    if (rest.startsWith('..') || posix.isAbsolute(rest)) continue;
    return relative(root, join(root, from, rest));
  }
  return undefined;
}

describe('Grafana dashboards', () => {
  const catalog = exposedMetrics();

  it('are there, one file per dashboard', () => {
    assert.ok(dashboardFiles.length >= 5, `${DASHBOARDS} holds the dashboards`);
  });

  for (const file of dashboardFiles) {
    describe(file, () => {
      it('parses as a dashboard with a uid, a title and a recent schema', () => {
        const dashboard = readDashboard(file);
        assert.match(dashboard.uid ?? '', /^[\w-]{1,40}$/, 'uid');
        assert.ok(dashboard.title, 'title');
        assert.ok((dashboard.schemaVersion ?? 0) >= 36, 'schemaVersion');
        assert.ok(panelsOf(dashboard).length > 0, 'panels');
      });

      it('reads every panel from the provisioned Prometheus or the datasource variable', () => {
        const dashboard = readDashboard(file);
        const uids = datasourceUids(dashboard);
        for (const panel of panelsOf(dashboard)) {
          assert.ok(
            uids.has(panel.datasource?.uid ?? ''),
            `${panel.title}: datasource ${panel.datasource?.uid}`,
          );
          for (const target of panel.targets ?? []) {
            const uid = target.datasource?.uid;
            assert.ok(
              uid === undefined || uids.has(uid),
              `${panel.title} ${target.refId}: datasource ${uid}`,
            );
          }
        }
      });

      it('gives every panel a unit, and every target an expression and a legend', () => {
        for (const panel of panelsOf(readDashboard(file))) {
          assert.ok(panel.fieldConfig?.defaults?.unit, `${panel.title} has a unit`);
          assert.ok((panel.targets ?? []).length > 0, `${panel.title} has targets`);
          for (const target of panel.targets ?? []) {
            assert.ok(target.expr?.trim(), `${panel.title} ${target.refId} has an expr`);
            assert.ok(target.legendFormat?.trim(), `${panel.title} ${target.refId} has a legend`);
          }
        }
      });

      it('reads only metrics and labels the services expose', () => {
        for (const panel of panelsOf(readDashboard(file))) {
          for (const { expr = '', refId } of panel.targets ?? []) {
            assert.ok(metricsOf(expr).size > 0, `${panel.title} ${refId} reads a metric`);
            assert.deepEqual(metricProblems(expr, catalog), [], `${panel.title} ${refId}: ${expr}`);
          }
        }
      });

      it('takes quantiles only from the _bucket series of histograms', () => {
        for (const panel of panelsOf(readDashboard(file))) {
          for (const { expr = '', refId } of panel.targets ?? []) {
            if (!expr.includes('histogram_quantile')) continue;
            const buckets = [...metricsOf(expr).keys()].filter((name) => {
              const series = seriesOf(name, catalog);
              return series?.suffix === 'bucket' && series.metric.type === 'histogram';
            });
            assert.ok(buckets.length > 0, `${panel.title} ${refId} reads a histogram's _bucket: ${expr}`);
            assert.match(expr, /\ble\b/, `${panel.title} ${refId} keeps le in its aggregation: ${expr}`);
          }
        }
      });

      it('names in legends only labels the series have', () => {
        for (const panel of panelsOf(readDashboard(file))) {
          for (const { expr = '', legendFormat = '', refId } of panel.targets ?? []) {
            const labels = new Set(TARGET_LABELS);
            for (const name of metricsOf(expr).keys()) {
              for (const label of seriesOf(name, catalog)?.metric.labels ?? []) labels.add(label);
            }
            for (const [, label] of legendFormat.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
              assert.ok(
                labels.has(label!),
                `${panel.title} ${refId}: legend names ${label}, not a label of ${expr}`,
              );
            }
          }
        }
      });
    });
  }

  it('have unique uids and titles', () => {
    const dashboards = dashboardFiles.map(readDashboard);
    const uids = dashboards.map((d) => d.uid);
    const titles = dashboards.map((d) => d.title);
    assert.equal(new Set(uids).size, uids.length, `uids: ${uids.join(', ')}`);
    assert.equal(new Set(titles).size, titles.length, `titles: ${titles.join(', ')}`);
  });
});

describe('Grafana provisioning', () => {
  it('adds the Prometheus of docker-compose.yml as a datasource', () => {
    assert.ok(prometheus, `${DATASOURCES} provisions a Prometheus`);
    assert.match(prometheus.uid, /^[\w-]+$/);
    assert.equal(prometheus.url, 'http://prometheus:9090');
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { ports?: string[] }>;
    };
    assert.ok(
      compose.services.prometheus?.ports?.some((p) => p.endsWith(':9090')),
      'the compose Prometheus listens on 9090',
    );
  });

  it('is read by the Grafana of docker-compose.yml', () => {
    for (const file of [DATASOURCES, PROVIDERS]) {
      const inContainer = posix.join(PROVISIONING_DIR, relative('deploy/grafana/provisioning', file));
      assert.equal(hostPathOf('grafana', inContainer), file, `grafana mounts ${file} at ${inContainer}`);
    }
  });

  it('opens on a dashboard docker-compose.yml mounts', () => {
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    const home = compose.services.grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home === undefined) return;
    const file = hostPathOf('grafana', home);
    assert.ok(
      file !== undefined &&
        posix.dirname(file) === DASHBOARDS &&
        dashboardFiles.includes(posix.basename(file)),
      `the home dashboard ${home} is one of ${DASHBOARDS}`,
    );
  });

  it('loads the dashboards folder docker-compose.yml mounts', () => {
    const providers = (
      parse(readFileSync(join(root, PROVIDERS), 'utf8')) as {
        providers: Array<{ type: string; options?: { path?: string } }>;
      }
    ).providers;
    const paths = providers.filter((p) => p.type === 'file').map((p) => p.options?.path ?? '');
    assert.ok(paths.length > 0, `${PROVIDERS} has a file provider`);
    for (const path of paths) {
      assert.equal(hostPathOf('grafana', path), DASHBOARDS, `grafana mounts ${DASHBOARDS} at ${path}`);
    }
  });
});
