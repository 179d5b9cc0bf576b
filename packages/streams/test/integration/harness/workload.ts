import { Random } from '@hoot/workload';
import type { Message } from 'kafkajs';
import type { CountedEvent } from '../../fixtures/counting-app.ts';
import { groupLag, readAll, sleep } from './kafka.ts';

/** The workload's seeded generator as a function: the same seed gives the same workload. */
export function random(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

export interface CountingWorkload {
  messages: Message[];
  /** Distinct ids per `${group}@${windowStart}` and per `${group}@total`. */
  truth: Map<string, number>;
}

const HOUR = 3_600_000;

/**
 * Events spread over groups and hours, with duplicates (the same id again, possibly on another
 * partition) and random or absent keys, so that re-keying and distinct counting are both needed.
 */
export function countingWorkload(options: {
  seed: number;
  events: number;
  groups: number;
  hours: number;
  duplicateShare: number;
  startMs?: number;
  idPrefix?: string;
}): CountingWorkload {
  const next = random(options.seed);
  const start = options.startMs ?? Date.UTC(2026, 10, 1);
  const prefix = options.idPrefix ?? `s${options.seed}`;
  const messages: Message[] = [];
  const seen = new Map<string, CountedEvent>();
  const truth = new Map<string, number>();
  for (let i = 0; i < options.events; i++) {
    let event: CountedEvent;
    if (seen.size > 0 && next() < options.duplicateShare) {
      const ids = [...seen.keys()];
      event = seen.get(ids[Math.floor(next() * ids.length)]!)!;
    } else {
      event = {
        id: `${prefix}-${i}`,
        group: `g${Math.floor(next() * options.groups)}`,
        ts: start + Math.floor(next() * options.hours * HOUR),
      };
      seen.set(event.id, event);
      const hour = event.ts - (event.ts % HOUR);
      truth.set(`${event.group}@${hour}`, (truth.get(`${event.group}@${hour}`) ?? 0) + 1);
      truth.set(`${event.group}@total`, (truth.get(`${event.group}@total`) ?? 0) + 1);
    }
    const keyChoice = next();
    messages.push({
      key: keyChoice < 0.3 ? null : keyChoice < 0.6 ? event.group : `random-${Math.floor(next() * 1000)}`,
      value: JSON.stringify(event),
    });
  }
  return { messages, truth };
}

/** The latest count per `${group}@${windowStart|total}` from the output topic's records. */
export function latestCounts(records: Array<{ value: Buffer | null }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    if (r.value === null) continue;
    const v = JSON.parse(r.value.toString()) as { group: string; windowStart: number | null; count: number };
    out.set(`${v.group}@${v.windowStart ?? 'total'}`, v.count);
  }
  return out;
}

/** Human-readable differences between two count maps (empty when equal). */
export function diffCounts(expected: Map<string, number>, actual: Map<string, number>): string[] {
  const problems: string[] = [];
  for (const [k, v] of expected)
    if (actual.get(k) !== v) problems.push(`${k}: expected ${v}, got ${actual.get(k)}`);
  for (const [k, v] of actual) if (!expected.has(k)) problems.push(`${k}: unexpected ${v}`);
  return problems;
}

/**
 * Waits until the application has consumed all its input and the output topic's latest counts
 * equal `truth`; returns the differences left when time runs out (empty on success).
 */
export async function settleCounts(
  options: { applicationId: string; input: string; output: string; truth: Map<string, number> },
  timeoutMs = 120_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let problems = ['nothing read yet'];
  while (Date.now() < deadline) {
    if ((await groupLag(options.applicationId, options.input)) === 0) {
      problems = diffCounts(options.truth, latestCounts(await readAll(options.output)));
      if (problems.length === 0) return problems;
    }
    await sleep(500);
  }
  return problems;
}
