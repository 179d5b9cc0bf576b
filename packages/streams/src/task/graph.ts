import type { ProcessorNode, StreamRecord } from '../topology/stream-record.ts';
import type { TaskContext } from '../topology/task-context.ts';
import {
  type NodeDefinition,
  type SourceDefinition,
  sourceTopic,
  type Topology,
} from '../topology/topology.ts';

export interface SourceRoute {
  source: SourceDefinition;
  node: ProcessorNode;
}

/**
 * Creates a task's processor nodes, each definition once (a node reached from two parents, like
 * the step after a re-key, is shared), and returns the entry node per source topic.
 */
export function instantiateGraph(
  topology: Topology,
  applicationId: string,
  context: TaskContext,
): Map<string, SourceRoute> {
  const created = new Map<NodeDefinition, ProcessorNode>();
  const create = (definition: NodeDefinition): ProcessorNode => {
    const existing = created.get(definition);
    if (existing !== undefined) return existing;
    const children = definition.children.map(create);
    const forward =
      children.length === 1
        ? (record: StreamRecord<unknown, unknown>) => children[0]!.process(record)
        : (record: StreamRecord<unknown, unknown>) => {
            for (const child of children) child.process(record);
          };
    const node = definition.create(context, forward);
    created.set(definition, node);
    return node;
  };
  const routes = new Map<string, SourceRoute>();
  for (const source of topology.sources) {
    routes.set(sourceTopic(applicationId, source), { source, node: create(source.node) });
  }
  return routes;
}
