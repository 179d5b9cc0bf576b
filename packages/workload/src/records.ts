import type { Dispatch, Order, Ping, SeedDispatch, SeedPing } from '@hoot/events';

/** The schema a record is written with: Hoot's, or the seed's (no key, no notification id). */
export type RecordFormat = 'ping' | 'seed-ping' | 'dispatch' | 'seed-dispatch' | 'order';

export type WorkloadRecord =
  | { topic: 'ping'; format: 'ping'; key: string; value: Ping; timestamp: number }
  | { topic: 'ping'; format: 'seed-ping'; key: null; value: SeedPing; timestamp: number }
  | { topic: 'dispatch'; format: 'dispatch'; key: string; value: Dispatch; timestamp: number }
  | { topic: 'dispatch'; format: 'seed-dispatch'; key: null; value: SeedDispatch; timestamp: number }
  | { topic: 'orders'; format: 'order'; key: string; value: Order; timestamp: number };

/** Python's str(datetime) as the seed's producers wrote it: `2026-11-02 10:23:45.123000`. */
export function pythonTime(time: number, withOffset: boolean): string {
  const iso = new Date(time).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000${withOffset ? '+00:00' : ''}`;
}
