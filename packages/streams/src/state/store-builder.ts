import type { Database } from 'better-sqlite3';
import type { StoreSerde } from '../serde/serde.ts';
import { CachingBytesStore } from './caching-store.ts';
import { ChangeLoggingBytesStore, type ChangelogWriter } from './change-logging-store.ts';
import { KeyValueStore } from './key-value-store.ts';
import { SqliteBytesStore } from './sqlite-bytes-store.ts';
import { WindowStore } from './window-store.ts';

/** The layers of one store: processors use `typed`; commits flush `cache`; restores write `sqlite`. */
export interface StoreStack<S> {
  typed: S;
  cache: CachingBytesStore;
  sqlite: SqliteBytesStore;
}

export interface StoreStackOptions<K, V> {
  db: Database;
  name: string;
  keys: StoreSerde<K>;
  values: StoreSerde<V>;
  changelog: ChangelogWriter;
  cacheMaxEntries: number;
}

/** typed & metered → write cache → change-logging → SQLite, built in one expression. */
export function buildKeyValueStore<K, V>(o: StoreStackOptions<K, V>): StoreStack<KeyValueStore<K, V>> {
  const sqlite = new SqliteBytesStore(o.db, o.name);
  const cache = new CachingBytesStore(new ChangeLoggingBytesStore(sqlite, o.changelog), o.cacheMaxEntries);
  return { typed: new KeyValueStore(cache, o.keys, o.values), cache, sqlite };
}

export function buildWindowStore<K, V>(o: StoreStackOptions<K, V>): StoreStack<WindowStore<K, V>> {
  const sqlite = new SqliteBytesStore(o.db, o.name);
  const cache = new CachingBytesStore(new ChangeLoggingBytesStore(sqlite, o.changelog), o.cacheMaxEntries);
  return { typed: new WindowStore(cache, o.keys, o.values), cache, sqlite };
}
