import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/**
 * Assembles a kustomization the way `kubectl apply -k` would, for the few features Hoot's
 * manifests use, so tests read what a cluster would get without a kustomize binary: `resources`
 * (files and directories with their own kustomization), `namespace`, `images`, `replicas`, and
 * `patches` given as inline JSON 6902 operations (add, replace, remove) with a kind/name target.
 * Any other field is an error, so a manifest cannot quietly depend on what is not implemented.
 */

/** A Kubernetes object as parsed from YAML. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string } & Record<string, unknown>;
};

interface Kustomization {
  resources?: string[];
  namespace?: string;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  replicas?: Array<{ name: string; count: number }>;
  patches?: Array<{ target: { kind: string; name: string }; patch: string }>;
}

interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

const IMPLEMENTED = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'images',
  'replicas',
  'patches',
]);

export function assemble(directory: string): KubeObject[] {
  const file = join(directory, 'kustomization.yaml');
  const kustomization = parse(readFileSync(file, 'utf8')) as Kustomization & Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((key) => !IMPLEMENTED.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: ${unsupported.join(', ')} not implemented`);

  const objects = (kustomization.resources ?? []).flatMap((entry) => load(resolve(directory, entry)));
  for (const { target, patch } of kustomization.patches ?? []) {
    const targets = objects.filter((o) => o.kind === target.kind && o.metadata.name === target.name);
    if (targets.length === 0) throw new Error(`${file}: no ${target.kind} ${target.name} to patch`);
    const operations = parse(patch) as PatchOperation[];
    for (const object of targets) {
      for (const operation of operations) applyOperation(object, operation, `${file} ${target.kind}`);
    }
  }
  for (const image of kustomization.images ?? []) {
    const containers = objects.flatMap(containersOf).filter((c) => imageName(c.image) === image.name);
    if (containers.length === 0) throw new Error(`${file}: no container runs image ${image.name}`);
    for (const container of containers) {
      container.image = `${image.newName ?? image.name}${image.newTag === undefined ? '' : `:${image.newTag}`}`;
    }
  }
  for (const { name, count } of kustomization.replicas ?? []) {
    const workloads = objects.filter((o) => hasReplicas(o) && o.metadata.name === name);
    if (workloads.length === 0) throw new Error(`${file}: no Deployment or StatefulSet ${name}`);
    for (const workload of workloads) (workload.spec as { replicas?: number }).replicas = count;
  }
  if (kustomization.namespace !== undefined) {
    for (const object of objects) object.metadata.namespace = kustomization.namespace;
  }
  return objects;
}

/** The objects of a resource: a directory's kustomization, or every document of a YAML file. */
function load(path: string): KubeObject[] {
  if (statSync(path).isDirectory()) return assemble(path);
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

function hasReplicas(object: KubeObject): boolean {
  return object.apiVersion === 'apps/v1' && (object.kind === 'Deployment' || object.kind === 'StatefulSet');
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  [key: string]: unknown;
}

/** The containers of a workload's pod template; none for other objects. */
export function containersOf(object: KubeObject): Container[] {
  const template = (object.spec as { template?: { spec?: { containers?: Container[] } } } | undefined)
    ?.template;
  return template?.spec?.containers ?? [];
}

function imageName(image: string | undefined): string | undefined {
  return image?.replace(/(@.*|:[^/:]*)$/, '');
}

/** One RFC 6902 operation on `document`; a replace or remove of a missing path is an error. */
function applyOperation(document: unknown, operation: PatchOperation, where: string): void {
  if (!['add', 'replace', 'remove'].includes(operation.op)) {
    throw new Error(`${where}: operation ${String(operation.op)} not implemented`);
  }
  const tokens = operation.path
    .split('/')
    .slice(1)
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = tokens.pop();
  if (last === undefined) throw new Error(`${where}: cannot patch the whole object`);
  let parent = document;
  for (const token of tokens) {
    parent = (parent as Record<string, unknown> | undefined)?.[token];
    if (parent === null || typeof parent !== 'object') {
      throw new Error(`${where}: ${operation.path} does not exist`);
    }
  }
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new Error(`${where}: ${operation.path} is out of range`);
    }
    if (operation.op !== 'add' && index >= parent.length) {
      throw new Error(`${where}: ${operation.path} does not exist`);
    }
    if (operation.op === 'add') parent.splice(index, 0, operation.value);
    else if (operation.op === 'replace') parent[index] = operation.value;
    else parent.splice(index, 1);
    return;
  }
  const object = parent as Record<string, unknown>;
  if (operation.op !== 'add' && !Object.hasOwn(object, last)) {
    throw new Error(`${where}: ${operation.path} does not exist`);
  }
  if (operation.op === 'remove') delete object[last];
  else object[last] = operation.value;
}
