import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Most worker threads ending bulk loads at once: the cores left beside the main thread, 1 to 2. */
const MAX_WORKERS = Math.max(1, Math.min(2, availableParallelism() - 1));
/**
 * How long idle threads are kept for the next bulk load, ms: tasks restore one after another, and
 * starting a thread costs about 0.3 s of CPU (loading and compiling its modules).
 */
const IDLE_MS = 5_000;

interface Waiting {
  path: string;
  table: string;
  cacheKiB: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Ends bulk loads (moves staged rows into their store and builds its timestamp index) in worker
 * threads, so that sorting one task's stores runs beside the main thread, which goes on reading
 * the changelogs of the others. At most MAX_WORKERS run at once; the threads are started on
 * demand and stopped once no work has come for IDLE_MS.
 *
 * The task's own connection must not write to the database while its bulk loads end: SQLite has
 * one writer per database.
 */
export class BulkLoadFinisher {
  readonly #idle: Worker[] = [];
  readonly #queue: Waiting[] = [];
  #running = 0;
  #nextId = 0;
  #idleTimer: NodeJS.Timeout | undefined;

  /**
   * Ends the bulk load of `table` in the database file at `path`, with `cacheKiB` KiB of SQLite
   * page cache. Rejects with SQLite's message when it fails; the staged rows then stay, and the
   * store's next opening moves them in.
   */
  end(path: string, table: string, cacheKiB: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ path, table, cacheKiB, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    clearTimeout(this.#idleTimer);
    while (this.#queue.length > 0 && this.#running < MAX_WORKERS) {
      const job = this.#queue.shift()!;
      this.#running++;
      void this.#run(job).finally(() => {
        this.#running--;
        this.#pump();
        if (this.#running === 0 && this.#queue.length === 0) {
          clearTimeout(this.#idleTimer);
          this.#idleTimer = setTimeout(() => {
            for (const worker of this.#idle.splice(0)) void worker.terminate();
          }, IDLE_MS).unref();
        }
      });
    }
  }

  async #run(job: Waiting): Promise<void> {
    const worker = this.#idle.pop() ?? new Worker(new URL('./bulk-load-worker.ts', import.meta.url));
    // An idle thread does not keep the process alive.
    worker.ref();
    const id = this.#nextId++;
    try {
      await new Promise<void>((resolve, reject) => {
        const onMessage = (message: { id: number; error?: string }) => {
          if (message.id !== id) return;
          cleanup();
          if (message.error === undefined) resolve();
          else reject(new Error(`ending the bulk load of ${job.table} failed: ${message.error}`));
        };
        const onError = (error: Error) => {
          cleanup();
          reject(error);
        };
        const onExit = (code: number) => {
          cleanup();
          reject(new Error(`the bulk load worker exited with code ${code}`));
        };
        const cleanup = () => {
          worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        };
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
        worker.postMessage({ id, path: job.path, table: job.table, cacheKiB: job.cacheKiB });
      });
      worker.unref();
      this.#idle.push(worker);
      job.resolve();
    } catch (error) {
      void worker.terminate();
      job.reject(error as Error);
    }
  }
}
