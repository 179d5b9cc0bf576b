import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { packageOf, variableProblems } from './service-config.ts';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
}

const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const prometheus = parse(readFileSync(new URL('infra/prometheus/prometheus.yml', root), 'utf8')) as {
  scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
};

const hootServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

describe('docker-compose.yml', () => {
  it('runs Kafka 3.9 in KRaft mode, Postgres, two processors, the api, the dispatcher, the archiver, Prometheus and Grafana', () => {
    const services = compose.services;
    assert.match(services.kafka?.image ?? '', /^apache\/kafka:3\.9\./);
    assert.equal(services.kafka?.environment?.KAFKA_PROCESS_ROLES, 'broker,controller');
    assert.match(services.postgres?.image ?? '', /^postgres:/);
    assert.match(services.prometheus?.image ?? '', /^prom\/prometheus:/);
    assert.match(
      services.grafana?.image ?? '',
      /^grafana\/grafana-oss:\d+\.\d+\.\d+$/,
      'Grafana, version pinned',
    );
    assert.equal(services.grafana?.environment?.GF_AUTH_ANONYMOUS_ENABLED, 'true');
    assert.equal(services.grafana?.environment?.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer');
    const packages = hootServices.map(([, s]) => packageOf(s.command)).sort();
    assert.deepEqual(packages, ['api', 'archiver', 'dispatcher', 'processor', 'processor']);
  });

  it('gives the api the archive the archiver writes, a directory on a volume both mount', () => {
    const archiver = compose.services.archiver?.environment ?? {};
    const api = compose.services.api?.environment ?? {};
    for (const name of [
      'ARCHIVE_URL',
      'ARCHIVE_S3_ENDPOINT',
      'ARCHIVE_S3_REGION',
      'ARCHIVE_S3_FORCE_PATH_STYLE',
    ]) {
      assert.equal(api[name], archiver[name], `the api and the archiver agree on ${name}`);
    }
    const directory = String(archiver.ARCHIVE_URL);
    const volumeAt = (service: string) =>
      compose.services[service]?.volumes?.find((v) => v.split(':')[1] === directory)?.split(':')[0];
    assert.ok(volumeAt('archiver'), `the archiver mounts a volume at ${directory}`);
    assert.equal(volumeAt('api'), volumeAt('archiver'), 'the api mounts the same volume there');
  });

  for (const [name, service] of hootServices) {
    it(`gives ${name} only variables its configuration reads, and every one it requires`, () => {
      const pkg = packageOf(service.command);
      assert.ok(pkg !== undefined, `${name} runs a known package`);
      const { unknown, missing } = variableProblems(pkg, Object.keys(service.environment ?? {}));
      assert.deepEqual(unknown, [], `${name} sets variables ${pkg} never reads`);
      assert.deepEqual(missing, [], `${name} misses required variables`);
    });
  }

  it('has Prometheus scrape each Hoot service on the port its configuration names', () => {
    const targets = new Set(
      prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets)),
    );
    for (const [name, service] of hootServices) {
      const env = service.environment ?? {};
      const port = env.HTTP_PORT ?? env.PORT;
      assert.ok(port !== undefined, `${name} names its HTTP port`);
      assert.ok(targets.has(`${name}:${port}`), `Prometheus scrapes ${name}:${port}`);
    }
  });
});
