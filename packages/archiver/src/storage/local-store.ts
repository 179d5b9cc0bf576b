import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { access, constants, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type ObjectStore,
  PreconditionFailedError,
  type PutConditions,
  type StoredObject,
} from './object-store.ts';

/** A temp file of a put: `.<name>.<random hex>.tmp`, beside the file it becomes. */
const TEMP_FILE = /^\..*\.[0-9a-f]{16}\.tmp$/;
/** Temp files older than this belong to no put in flight (a crashed process left them): list removes them. */
const STALE_TEMP_MS = 60 * 60 * 1000;
/**
 * Etags remembered for files not changed since, so a listing does not read every file each time.
 * Room for a year of hourly files of a busy archive (about 300 a day), so that a month's listing
 * does not evict the etags it needs and hash the files again (about 300 bytes an entry).
 */
const ETAG_CACHE_SIZE = 200_000;

/**
 * An ObjectStore on a local directory: the key `a/b/c.parquet` is the file `<directory>/a/b/c.parquet`.
 *
 * A put is atomic and durable: the body goes to a temp file in the target's directory, which is
 * fsynced, renamed over the target, and the directory fsynced (and the directories the put created).
 * The etag is the hex MD5 of the contents, as S3's for a single-part put.
 *
 * Conditions are checked just before the rename. Within this process puts and deletes of one key
 * run one at a time, so the check and the rename are atomic here; two processes writing one key
 * race (the store is meant to have one writer, as the archiver's partition ownership gives it).
 *
 * A delete is durable too (the directories fsynced), and removes directories it leaves empty.
 *
 * Housekeeping: a listing skips temp files (`.<name>.<random>.tmp`) and removes those older than an
 * hour, left by a process that crashed mid-put; there is no other sweep.
 *
 * Keys are `/`-separated relative paths without empty, `.` or `..` segments; a key cannot also be
 * the directory of another (`a` and `a/b`), and names of the temp-file form are refused. An
 * invalid key throws an Error; filesystem errors (disk full, permissions) are thrown as they come.
 * `directory` may be relative (to the working directory). A put creates it when missing; check()
 * does not, and fails until it exists (a missing archive directory is usually a volume not mounted).
 */
export function createLocalStore(directory: string): ObjectStore {
  const root = path.resolve(directory);
  const keyLocks = new KeyLocks();
  const etags = new EtagCache();
  let closed = false;

  const fileOf = (key: string): string => {
    if (closed) throw new Error(`local store ${root} is closed`);
    validateKey(key);
    return path.join(root, ...key.split('/'));
  };

  const describe = async (key: string, file: string): Promise<StoredObject | undefined> => {
    const info = await statOrUndefined(file);
    if (info === undefined || !info.isFile()) return undefined;
    return { key, size: Number(info.size), etag: await etags.etagOf(file, info) };
  };

  return {
    url: pathToFileURL(root).href,

    async put(key, body, conditions = {}) {
      const file = fileOf(key);
      const dir = path.dirname(file);
      const etag = createHash('md5').update(body).digest('hex');
      // Written (and fsynced) before taking the key's turn: only the check and the rename are serialised.
      const { temp, createdDirs } = await writeTempFile(dir, path.basename(file), body);
      try {
        await keyLocks.run(key, async () => {
          await checkConditions(key, file, conditions, etags);
          await rename(temp, file);
          etags.remember(file, await statBigint(file), etag);
        });
      } catch (error) {
        await unlink(temp).catch(() => {});
        throw error;
      }
      // The rename is durable once the directory holding the new entry is; a directory the put
      // created is durable once its parent is.
      for (const d of [dir, ...createdDirs.map((created) => path.dirname(created))]) await fsyncDirectory(d);
      return { etag };
    },

    head(key) {
      return describe(key, fileOf(key));
    },

    async get(key) {
      try {
        return new Uint8Array(await readFile(fileOf(key)));
      } catch (error) {
        if (isNotFound(error) || isDirectoryError(error)) return undefined;
        throw error;
      }
    },

    async *list(prefix) {
      if (closed) throw new Error(`local store ${root} is closed`);
      for await (const { key, file } of walk(root, '', prefix)) {
        const object = await describe(key, file);
        if (object !== undefined) yield object;
      }
    },

    async delete(keys) {
      const dirs = new Set<string>();
      for (const key of keys) {
        const file = fileOf(key);
        await keyLocks.run(key, async () => {
          try {
            await unlink(file);
            dirs.add(path.dirname(file));
          } catch (error) {
            if (!isNotFound(error) && !isDirectoryError(error)) throw error;
          }
        });
        etags.forget(file);
      }
      // Durable like a put (a file an erasure deleted must not come back after a crash). Emptied
      // directories stay: removing one could race a put creating a file in it (other partitions
      // write into the same hour directory at the same time); listings skip them.
      for (const dir of dirs) await fsyncDirectory(dir);
    },

    async check() {
      const info = await statOrUndefined(root);
      if (info === undefined) throw new Error(`archive directory ${root} does not exist`);
      if (!info.isDirectory()) throw new Error(`archive path ${root} is not a directory`);
      try {
        await access(root, constants.W_OK | constants.X_OK);
      } catch (error) {
        throw new Error(`archive directory ${root} is not writable`, { cause: error });
      }
    },

    async close() {
      closed = true;
      await keyLocks.idle();
    },
  };
}

function validateKey(key: string): void {
  const segments = key.split('/');
  const bad =
    key === '' ||
    key.includes('\0') ||
    segments.some((s) => s === '' || s === '.' || s === '..') ||
    TEMP_FILE.test(segments.at(-1)!);
  if (bad) throw new Error(`invalid object key ${JSON.stringify(key)}`);
}

async function checkConditions(
  key: string,
  file: string,
  conditions: PutConditions,
  etags: EtagCache,
): Promise<void> {
  if (conditions.ifNoneMatch === undefined && conditions.ifMatch === undefined) return;
  const info = await statOrUndefined(file);
  const exists = info?.isFile() === true;
  if (conditions.ifNoneMatch === '*' && exists) throw new PreconditionFailedError(key, 'the object exists');
  if (conditions.ifMatch !== undefined) {
    if (info === undefined || !exists) throw new PreconditionFailedError(key, 'there is no object');
    const current = await etags.etagOf(file, info);
    if (current !== conditions.ifMatch) {
      throw new PreconditionFailedError(key, `its etag is ${current}, not ${conditions.ifMatch}`);
    }
  }
}

/**
 * Writes `body` to a new temp file in `dir` (creating it and its parents) and fsyncs it. Returns
 * the temp file and the directories created, outermost first. Retries when a concurrent delete
 * removes the directory (now empty) between the mkdir and the open.
 */
async function writeTempFile(
  dir: string,
  name: string,
  body: Uint8Array,
): Promise<{ temp: string; createdDirs: string[] }> {
  const createdDirs: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const first = await mkdir(dir, { recursive: true });
    if (first !== undefined) createdDirs.push(...directoriesFrom(first, dir));
    // The name is cut so that the temp file's stays within the usual 255-byte limit.
    const temp = path.join(dir, `.${name.slice(0, 200)}.${randomBytes(8).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { temp, createdDirs: [...new Set(createdDirs)] };
    } catch (error) {
      await unlink(temp).catch(() => {});
      if (!isNotFound(error) || attempt >= 5) throw error;
    }
  }
}

/** `from` and each directory below it down to `to` (`from` is an ancestor of `to`, or `to` itself). */
function directoriesFrom(from: string, to: string): string[] {
  const dirs = [to];
  for (let d = to; d !== from && path.dirname(d) !== d; ) {
    d = path.dirname(d);
    dirs.unshift(d);
  }
  return dirs;
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The files under `dir` (whose key prefix is `dirKey`, `''` for the root) with keys starting with
 * `prefix`, in key order: entries sorted by their UTF-8 bytes, a directory `a` sorting as `a/`
 * (so `a.txt` comes before `a/b`, as in S3's listings). Temp files are skipped; stale ones removed.
 */
async function* walk(
  dir: string,
  dirKey: string,
  prefix: string,
): AsyncGenerator<{ key: string; file: string }> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isNotFound(error) || isDirectoryError(error)) return; // removed by a concurrent delete
    throw error;
  }
  const sorted = entries
    .filter((e) => e.isDirectory() || e.isFile())
    .map((e) => ({ entry: e, sortKey: Buffer.from(e.isDirectory() ? `${e.name}/` : e.name) }))
    .sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
  for (const { entry } of sorted) {
    const key = dirKey + entry.name;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const below = `${key}/`;
      if (below.startsWith(prefix) || prefix.startsWith(below)) yield* walk(file, below, prefix);
    } else if (TEMP_FILE.test(entry.name)) {
      await removeIfStale(file);
    } else if (key.startsWith(prefix)) {
      yield { key, file };
    }
  }
}

async function removeIfStale(tempFile: string): Promise<void> {
  const info = await statOrUndefined(tempFile);
  if (info !== undefined && Date.now() - Number(info.mtimeMs) > STALE_TEMP_MS) {
    await unlink(tempFile).catch(() => {});
  }
}

type FileStats = Awaited<ReturnType<typeof statBigint>>;
const statBigint = (file: string) => stat(file, { bigint: true });

async function statOrUndefined(file: string): Promise<FileStats | undefined> {
  try {
    return await statBigint(file);
  } catch (error) {
    if (isNotFound(error) || isDirectoryError(error)) return undefined;
    throw error;
  }
}

/**
 * MD5s of files, remembered while the file's inode, size and modification time stay the same
 * (a put renames a new inode over the key, so a changed file never matches).
 */
class EtagCache {
  readonly #entries = new Map<string, { version: string; etag: string }>();

  async etagOf(file: string, info: FileStats): Promise<string> {
    const known = this.#entries.get(file);
    if (known !== undefined && known.version === versionOf(info)) return known.etag;
    const hash = createHash('md5');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    const etag = hash.digest('hex');
    this.remember(file, info, etag);
    return etag;
  }

  remember(file: string, info: FileStats, etag: string): void {
    this.#entries.delete(file);
    this.#entries.set(file, { version: versionOf(info), etag });
    if (this.#entries.size > ETAG_CACHE_SIZE) this.#entries.delete(this.#entries.keys().next().value!);
  }

  forget(file: string): void {
    this.#entries.delete(file);
  }
}

function versionOf(info: FileStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

/** Runs the operations on one key one after another, in the order they were asked for. */
class KeyLocks {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#tails.set(key, tail);
    await previous;
    try {
      return await operation();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Resolves once every operation asked for so far has finished. */
  async idle(): Promise<void> {
    await Promise.all(this.#tails.values());
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** A key whose path runs into a file (ENOTDIR) or is a directory (EISDIR): no such object. */
function isDirectoryError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOTDIR' || code === 'EISDIR';
}
