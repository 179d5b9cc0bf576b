import type { ObjectStore } from '../storage/object-store.ts';

/** Prefix of erasure records: one object per forgotten subscriber of a merchant. */
export const ERASURES_PREFIX = '_erasures/';

/** A subscriber whose rows the archive no longer keeps, and when that was asked. */
export interface Erasure {
  merchant: string;
  subscriberId: number;
  requestedAt: string;
}

/** The key identifying a merchant's subscriber in an erasure set. */
export function erasureKey(merchant: string, subscriberId: number): string {
  return `${merchant}\u0000${subscriberId}`;
}

function recordKey(merchant: string, subscriberId: number): string {
  return `${ERASURES_PREFIX}${encodeURIComponent(merchant)}/${subscriberId}.json`;
}

/** Records an erasure (idempotent): from then on the archiver leaves that subscriber's rows out. */
export async function recordErasure(
  store: ObjectStore,
  merchant: string,
  subscriberId: number,
): Promise<Erasure> {
  const erasure: Erasure = { merchant, subscriberId, requestedAt: new Date().toISOString() };
  await store.put(
    recordKey(merchant, subscriberId),
    new TextEncoder().encode(`${JSON.stringify(erasure)}\n`),
  );
  return erasure;
}

/** Every recorded erasure, as a set of erasureKey values. */
export async function readErasures(store: ObjectStore): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const object of store.list(ERASURES_PREFIX)) {
    const match = /^_erasures\/([^/]+)\/(\d+)\.json$/.exec(object.key);
    if (match !== null) keys.add(erasureKey(decodeURIComponent(match[1] as string), Number(match[2])));
  }
  return keys;
}
