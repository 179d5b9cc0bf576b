import { encodeChangelogValue } from '../wire/changelog-record.ts';
import { type BytesStore, DelegatingBytesStore } from './bytes-store.ts';

/** Receives a store's changes for its changelog topic; null is a tombstone. */
export interface ChangelogWriter {
  write(key: Buffer, value: Buffer | null): void;
}

/** Mirrors every change of the store below into its changelog. */
export class ChangeLoggingBytesStore extends DelegatingBytesStore {
  readonly #changelog: ChangelogWriter;

  constructor(inner: BytesStore, changelog: ChangelogWriter) {
    super(inner);
    this.#changelog = changelog;
  }

  override put(key: Buffer, value: Buffer, timestamp: number): void {
    this.inner.put(key, value, timestamp);
    this.#changelog.write(key, encodeChangelogValue(value, timestamp));
  }

  override delete(key: Buffer): void {
    this.inner.delete(key);
    this.#changelog.write(key, null);
  }

  override expire(before: number): Buffer[] {
    const expired = this.inner.expire(before);
    for (const key of expired) this.#changelog.write(key, null);
    return expired;
  }
}
