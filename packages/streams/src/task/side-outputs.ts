import type { RecordOrigin } from '../topology/stream-record.ts';
import type { PendingRecord } from '../topology/task-context.ts';
import { deadLetterTopic, processingLogTopic } from '../topology/topology.ts';

/**
 * Records a task writes beside its outputs, in the same transaction. Both keep the original key
 * and value bytes untouched, so nothing is lost, and say why in headers.
 */
export function deadLetter(
  applicationId: string,
  origin: RecordOrigin,
  stage: 'decode' | 'process',
  error: unknown,
): PendingRecord {
  const e = error as { name?: string; code?: string; message?: string };
  return {
    topic: deadLetterTopic(applicationId),
    key: origin.key,
    value: origin.value,
    headers: {
      ...originHeaders(origin),
      'hoot.error.stage': stage,
      'hoot.error.class': String(e?.name ?? 'Error'),
      'hoot.error.code': String(e?.code ?? ''),
      'hoot.error.reason': String(e?.message ?? error).slice(0, 2000),
    },
  };
}

export function lateRecord(
  applicationId: string,
  node: string,
  origin: RecordOrigin,
  details: Record<string, number>,
): PendingRecord {
  const headers: Record<string, string> = {
    ...originHeaders(origin),
    'hoot.log.reason': 'late',
    'hoot.log.node': node,
  };
  for (const [name, value] of Object.entries(details)) headers[`hoot.log.${name}`] = String(value);
  return { topic: processingLogTopic(applicationId), key: origin.key, value: origin.value, headers };
}

function originHeaders(origin: RecordOrigin): Record<string, string> {
  return {
    'hoot.source.topic': origin.topic,
    'hoot.source.partition': String(origin.partition),
    'hoot.source.offset': String(origin.offset),
  };
}
