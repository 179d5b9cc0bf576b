import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import type { KubeObject } from './kustomize.ts';

interface ModelClass {
  new (data: never): { validate(): void };
  prototype: { validate(this: unknown): void };
}

/** The schema of every kind Hoot's manifests may hold, by `apiVersion/kind`. */
const models: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

/**
 * What is wrong with `object` by its kind's OpenAPI schema: what the model's validate() reports,
 * and every key the schema does not know. validate() alone accepts unknown keys (a misspelt
 * `readinessprobe` passes, and the API server would drop it), so the object is validated a second
 * time through proxies that record which keys the generated validator reads at each path: it
 * reads every property its schema declares, and every key of a map (labels, ConfigMap data), so a
 * key it never read is one the schema does not have.
 */
export function schemaProblems(object: KubeObject): string[] {
  const model = models[`${object.apiVersion}/${object.kind}`];
  if (model === undefined) return [`${object.apiVersion} ${object.kind} is not a kind these manifests use`];
  const problems: string[] = [];
  try {
    new model(object as never).validate();
  } catch (error) {
    problems.push((error as Error).message);
  }
  const read = new Map<string, Set<string>>();
  model.prototype.validate.call(tracked(object, '', read));
  for (const [path, keys] of ownKeysByPath(object, '')) {
    for (const key of keys) {
      if (!read.get(path)?.has(key)) problems.push(`${path}/${key} is not in the ${object.kind} schema`);
    }
  }
  return problems;
}

/** `value` behind proxies that note, per JSON pointer, each key read of it and of what it holds. */
function tracked(value: unknown, path: string, read: Map<string, Set<string>>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const note = (key: string | symbol) => {
    if (typeof key !== 'string') return;
    const keys = read.get(path) ?? new Set<string>();
    read.set(path, keys.add(key));
  };
  return new Proxy(value, {
    get(target, key, receiver) {
      note(key);
      const child = Reflect.get(target, key, receiver);
      return typeof key === 'string' && Object.hasOwn(target, key)
        ? tracked(child, `${path}/${key}`, read)
        : child;
    },
    has(target, key) {
      note(key);
      return Reflect.has(target, key);
    },
  });
}

/** Every plain object's own keys, by JSON pointer; arrays are walked but have no keys to check. */
function* ownKeysByPath(value: unknown, path: string): Generator<[string, string[]]> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* ownKeysByPath(item, `${path}/${index}`);
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    yield [path, keys];
    for (const key of keys) yield* ownKeysByPath((value as Record<string, unknown>)[key], `${path}/${key}`);
  }
}
