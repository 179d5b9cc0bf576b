import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadApiConfig } from '@hoot/api';
import { loadArchiverConfig } from '@hoot/archiver';
import { loadDispatcherConfig } from '@hoot/dispatcher';
import { loadProcessorConfig } from '@hoot/processor';
import { schemaProblems } from './kubernetes-schemas.ts';
import { assemble, type Container, containersOf, type KubeObject } from './kustomize.ts';
import { configSchemaByPackage, packageOf, variableProblems } from './service-config.ts';

const manifests = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));
const builds = ['base', 'overlays/local', 'overlays/production'];

/**
 * The trigger metadata KEDA's Kafka scaler documents (keda.sh/docs/scalers/apache-kafka); KEDA
 * ignores any other key, so a misspelt `lagTreshold` would silently scale on the default.
 */
const KEDA_KAFKA_METADATA = new Set([
  'bootstrapServers',
  'bootstrapServersFromEnv',
  'consumerGroup',
  'consumerGroupFromEnv',
  'topic',
  'topicFromEnv',
  'lagThreshold',
  'activationLagThreshold',
  'offsetResetPolicy',
  'allowIdleConsumers',
  'scaleToZeroOnInvalidOffset',
  'excludePersistentLag',
  'limitToPartitionsWithLag',
  'ensureEvenDistributionOfPartitions',
  'version',
  'partitionLimitation',
  'sasl',
  'saslTokenProvider',
  'tls',
  'unsafeSsl',
  'awsRegion',
]);

/** Well-formed stand-ins for what the Secret hoot-secrets holds, to load a configuration. */
const SECRET_SAMPLES: Record<string, string> = {
  DATABASE_URL: 'postgres://hoot@postgres:5432/hoot',
  PING_TOKEN_SECRETS: 'p'.repeat(32),
  SESSION_SECRETS: 's'.repeat(32),
  VAPID_PUBLIC_KEY: 'A'.repeat(87),
  VAPID_PRIVATE_KEY: 'A'.repeat(43),
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'example-secret',
};

/** The configuration loaders the services' main.ts call, by package. */
const CONFIG_LOADERS: Record<string, (env: Record<string, string | undefined>) => object> = {
  api: loadApiConfig,
  dispatcher: loadDispatcherConfig,
  processor: loadProcessorConfig,
  archiver: loadArchiverConfig,
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}

interface ContainerPort {
  name?: string;
  containerPort: number;
}

interface ScaledObjectSpec {
  scaleTargetRef: { kind?: string; name: string };
  minReplicaCount?: number;
  maxReplicaCount?: number;
  triggers: Array<{ type: string; metadata: Record<string, string> }>;
}

/** A Hoot service's container with its environment resolved as the kubelet would. */
interface ServiceContainer {
  workload: KubeObject;
  container: Container;
  pkg: string;
  /** Every variable the container sets, and where from. */
  variables: Map<string, { value?: string; secret?: { name: string; key: string }; field?: string }>;
  /** The configuration the service would load (secrets given well-formed stand-ins). */
  config: Record<string, unknown>;
}

function configMap(objects: KubeObject[], name: string): Record<string, string> | undefined {
  const found = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
  return found?.data as Record<string, string> | undefined;
}

function serviceContainers(objects: KubeObject[]): ServiceContainer[] {
  return objects.flatMap((workload) =>
    containersOf(workload).map((container) => {
      const pkg = packageOf(container.command);
      assert.ok(pkg !== undefined, `${workload.metadata.name}/${container.name} runs a Hoot service`);
      const variables: ServiceContainer['variables'] = new Map();
      for (const source of (container.envFrom ?? []) as Array<Record<string, { name: string }>>) {
        assert.deepEqual(Object.keys(source), ['configMapRef'], 'envFrom only names ConfigMaps');
        const data = configMap(objects, source.configMapRef!.name);
        assert.ok(data, `ConfigMap ${source.configMapRef!.name} exists`);
        for (const [name, value] of Object.entries(data)) variables.set(name, { value });
      }
      for (const variable of (container.env ?? []) as EnvVar[]) {
        const { secretKeyRef, configMapKeyRef, fieldRef } = variable.valueFrom ?? {};
        if (configMapKeyRef !== undefined) {
          const value = configMap(objects, configMapKeyRef.name)?.[configMapKeyRef.key];
          assert.ok(value !== undefined, `${variable.name}: ConfigMap key ${configMapKeyRef.key} exists`);
          variables.set(variable.name, { value });
        } else if (secretKeyRef !== undefined) {
          variables.set(variable.name, { secret: secretKeyRef });
        } else if (fieldRef !== undefined) {
          variables.set(variable.name, { field: fieldRef.fieldPath });
        } else {
          variables.set(variable.name, { value: variable.value ?? '' });
        }
      }
      const env = Object.fromEntries(
        [...variables].map(([name, source]) => [
          name,
          source.secret !== undefined
            ? SECRET_SAMPLES[name]
            : (source.value ?? `${workload.metadata.name}-0`),
        ]),
      );
      // Each service's own loader, as its main.ts calls it, with the image's NODE_ENV=production:
      // the production-only requirements (VAPID keys and subject, ping-token secrets) hold too.
      const config = CONFIG_LOADERS[pkg]!({ NODE_ENV: 'production', ...env }) as unknown as Record<
        string,
        unknown
      >;
      return { workload, container, pkg, variables, config };
    }),
  );
}

/** The consumer groups and the topics each reads, by the service's configuration. */
function consumerGroups(service: ServiceContainer): Map<string, string[]> {
  const c = service.config as Record<string, string>;
  if (service.pkg === 'processor') {
    return new Map([
      [c.APPLICATION_ID!, [c.PING_TOPIC!, c.DISPATCH_TOPIC!, c.ORDERS_TOPIC!]],
      [c.SINK_GROUP_ID ?? `${c.APPLICATION_ID}-postgres-sink`, [c.REPORTING_TOPIC!]],
    ]);
  }
  if (service.pkg === 'dispatcher') {
    return new Map([
      [c.DISPATCHER_GROUP_ID!, [c.SEND_BATCHES_TOPIC!]],
      [`${c.DISPATCHER_GROUP_ID}-fanout`, [c.SEND_REQUESTS_TOPIC!]],
    ]);
  }
  if (service.pkg === 'archiver') return new Map([[c.ARCHIVER_GROUP_ID!, c.ARCHIVE_TOPICS!.split(',')]]);
  return new Map();
}

/** The port a service's configuration serves /healthz and /readyz on. */
function opsPort(service: ServiceContainer): number {
  return Number(
    'HTTP_PORT' in configSchemaByPackage[service.pkg]!.properties
      ? service.config.HTTP_PORT
      : service.config.PORT,
  );
}

for (const build of builds) {
  describe(`deploy/kubernetes/${build}`, () => {
    const objects = assemble(`${manifests}${build}`);
    const services = serviceContainers(objects);
    const byName = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name === name);

    it('holds processors as a StatefulSet, the api, the dispatcher and the archiver as Deployments', () => {
      const workloads = services.map((s) => `${s.workload.kind} ${s.pkg}`).sort();
      assert.deepEqual(workloads, [
        'Deployment api',
        'Deployment archiver',
        'Deployment dispatcher',
        'StatefulSet processor',
      ]);
    });

    it('validates every object against its schema, with no key the schema does not know', () => {
      for (const object of objects) {
        assert.deepEqual(schemaProblems(object), [], `${object.kind} ${object.metadata.name}`);
      }
    });

    for (const service of services) {
      const label = `${service.workload.metadata.name}/${service.container.name}`;

      it(`gives ${label} only variables ${service.pkg} reads, every one it requires, valid values`, () => {
        const { unknown, missing } = variableProblems(service.pkg, [...service.variables.keys()]);
        assert.deepEqual(unknown, [], `${label} sets variables ${service.pkg} never reads`);
        assert.deepEqual(missing, [], `${label} misses required variables`);
        for (const [name, source] of service.variables) {
          if (source.secret === undefined) continue;
          assert.equal(source.secret.name, 'hoot-secrets', `${name} comes from the Secret hoot-secrets`);
          assert.equal(source.secret.key, name, `hoot-secrets holds ${name} under its own name`);
          assert.ok(name in SECRET_SAMPLES, `README's list of secrets has ${name}`);
        }
      });

      it(`probes ${label} on the ops port its configuration names`, () => {
        const ports = (service.container.ports ?? []) as ContainerPort[];
        const port = opsPort(service);
        assert.ok(
          ports.some((p) => p.containerPort === port),
          `${label} declares port ${port}`,
        );
        const probes = service.container as Container &
          Record<string, { httpGet?: { path: string; port: string | number } }>;
        for (const [probe, path] of [
          ['readinessProbe', '/readyz'],
          ['livenessProbe', '/healthz'],
        ] as const) {
          const httpGet = probes[probe]?.httpGet;
          assert.equal(httpGet?.path, path, `${label} ${probe} asks ${path}`);
          const declared = ports.find((p) => p.name === httpGet.port || p.containerPort === httpGet.port);
          assert.ok(declared, `${label} ${probe} port ${httpGet.port} is one the container declares`);
          assert.equal(declared.containerPort, port, `${label} ${probe} is on the ops port`);
        }
      });

      it(`runs ${label} as non-root on a read-only root filesystem, with requests and limits`, () => {
        const pod = (service.workload.spec as { template: { spec: Record<string, unknown> } }).template.spec;
        const security = service.container.securityContext as Record<string, unknown>;
        assert.equal((pod.securityContext as Record<string, unknown>).runAsNonRoot, true);
        assert.equal(security.readOnlyRootFilesystem, true);
        assert.equal(security.allowPrivilegeEscalation, false);
        const mounts = service.container.volumeMounts as Array<{ name: string; mountPath: string }>;
        const volumes = pod.volumes as Array<{ name: string; emptyDir?: unknown }>;
        const tmp = mounts.find((m) => m.mountPath === '/tmp');
        assert.ok(tmp && volumes.find((v) => v.name === tmp.name)?.emptyDir, `${label} has an emptyDir /tmp`);
        const resources = service.container.resources as Record<string, Record<string, string>>;
        for (const bound of ['requests', 'limits']) {
          assert.ok(
            resources[bound]?.cpu && resources[bound]?.memory,
            `${label} has cpu and memory ${bound}`,
          );
        }
        // onShutdown (packages/runtime/src/shutdown.ts) gives stopping 30 s before it exits.
        assert.ok(Number(pod.terminationGracePeriodSeconds) > 30, `${label} outlasts the 30 s shutdown`);
      });
    }

    it("keeps each processor's state on its own volume, names it after its pod, and limits disruption", () => {
      const processor = services.find((s) => s.pkg === 'processor')!;
      const spec = processor.workload.spec as {
        serviceName: string;
        volumeClaimTemplates: Array<{ metadata: { name: string } }>;
      };
      const stateMount = (
        processor.container.volumeMounts as Array<{ name: string; mountPath: string }>
      ).find((m) => m.mountPath === processor.config.STATE_DIR);
      assert.ok(stateMount, 'STATE_DIR is a mounted volume');
      assert.ok(
        spec.volumeClaimTemplates.some((t) => t.metadata.name === stateMount.name),
        'from a claim per pod',
      );
      assert.equal(processor.variables.get('KAFKA_CLIENT_ID')?.field, 'metadata.name');
      const headless = byName('Service', spec.serviceName)?.spec as { clusterIP?: string } | undefined;
      assert.equal(headless?.clusterIP, 'None', 'the StatefulSet has a headless Service');
      const budget = objects.find(
        (o) =>
          o.kind === 'PodDisruptionBudget' &&
          (o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels[
            'app.kubernetes.io/name'
          ] === 'processor',
      );
      assert.ok(budget, 'processors have a PodDisruptionBudget');
    });

    it('scales the api on CPU with an autoscaling/v2 HorizontalPodAutoscaler', () => {
      const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
      const spec = hpa?.spec as {
        scaleTargetRef: { name: string };
        metrics: Array<{ resource?: { name: string } }>;
      };
      assert.equal(hpa?.apiVersion, 'autoscaling/v2');
      assert.equal(spec.scaleTargetRef.name, 'api');
      assert.deepEqual(
        spec.metrics.map((m) => m.resource?.name),
        ['cpu'],
      );
    });

    it('gives the api the archive the archiver writes, on S3 with credentials from hoot-secrets', () => {
      const archiver = services.find((s) => s.pkg === 'archiver')!;
      const api = services.find((s) => s.pkg === 'api')!;
      const storage = [
        'ARCHIVE_URL',
        'ARCHIVE_S3_ENDPOINT',
        'ARCHIVE_S3_REGION',
        'ARCHIVE_S3_FORCE_PATH_STYLE',
      ];
      for (const name of storage) {
        assert.deepEqual(
          api.config[name],
          archiver.config[name],
          `the api and the archiver agree on ${name}`,
        );
      }
      // Pods share no directory: a local ARCHIVE_URL would be each pod's own.
      assert.match(String(archiver.config.ARCHIVE_URL), /^s3:\/\//, 'the archive is in S3');
      for (const service of [archiver, api]) {
        for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
          assert.equal(
            service.variables.get(name)?.secret?.key,
            name,
            `${service.pkg} takes ${name} from the Secret`,
          );
        }
      }
    });

    it("scales processors, dispatchers and archivers with KEDA on their own groups' lag, within the partitions", () => {
      const scaled = objects.filter((o) => o.kind === 'ScaledObject');
      assert.deepEqual(scaled.map((o) => o.metadata.name).sort(), ['archiver', 'dispatcher', 'processor']);
      for (const object of scaled) {
        const spec = object.spec as ScaledObjectSpec;
        const target = services.find(
          (s) =>
            s.workload.kind === (spec.scaleTargetRef.kind ?? 'Deployment') &&
            s.workload.metadata.name === spec.scaleTargetRef.name,
        );
        assert.ok(target, `${object.metadata.name} scales a Hoot workload`);
        const partitions = Number(target.config.KAFKA_TOPIC_PARTITIONS);
        const min = spec.minReplicaCount ?? 0;
        const max = spec.maxReplicaCount ?? 100;
        assert.ok(
          max <= partitions,
          `${object.metadata.name} maxReplicaCount ${max} <= ${partitions} partitions`,
        );
        const replicas = (target.workload.spec as { replicas?: number }).replicas ?? 1;
        assert.ok(replicas <= partitions, `${object.metadata.name} replicas ${replicas} <= ${partitions}`);
        assert.ok(min >= 1, `${object.metadata.name} never scales to zero`);
        const groups = consumerGroups(target);
        for (const trigger of spec.triggers) {
          assert.equal(trigger.type, 'kafka');
          const keys = Object.keys(trigger.metadata);
          const unknown = keys.filter((key) => !KEDA_KAFKA_METADATA.has(key));
          assert.deepEqual(unknown, [], `${object.metadata.name} trigger keys KEDA documents`);
          const { bootstrapServers, consumerGroup, topic, lagThreshold, activationLagThreshold } =
            trigger.metadata;
          assert.equal(
            bootstrapServers,
            target.config.KAFKA_BROKERS,
            'KEDA asks the brokers the service uses',
          );
          assert.ok(groups.get(consumerGroup!)?.includes(topic!), `${consumerGroup} reads ${topic}`);
          // A transactional topic leaves a lag of 1 per partition at its commit markers: that
          // residual must neither activate the scaler nor ask for more than minReplicaCount.
          assert.ok(
            Number(activationLagThreshold) >= partitions,
            `${topic} activationLagThreshold >= ${partitions}`,
          );
          assert.ok(
            Math.ceil(partitions / Number(lagThreshold)) <= min,
            `${topic} residual lag stays at min`,
          );
          if (target.pkg === 'archiver') {
            // The archiver commits a partition only when its file completes: up to
            // ARCHIVE_FILE_MAX_RECORDS records a partition is lag by design, not a backlog.
            const held = partitions * Number(target.config.ARCHIVE_FILE_MAX_RECORDS);
            for (const threshold of [lagThreshold, activationLagThreshold]) {
              assert.ok(Number(threshold) >= held, `${topic} threshold ${threshold} >= ${held} records held`);
            }
          }
        }
      }
    });
  });
}
