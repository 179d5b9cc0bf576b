import type { StreamTask } from '../task/stream-task.ts';

/** A task with the lock that serializes everything done to it (processing, commits, rebalances). */
export class ManagedTask {
  readonly task: StreamTask;
  /** Settles when the task has opened (or failed to). */
  ready: Promise<boolean> = Promise.resolve(false);
  #chain: Promise<unknown> = Promise.resolve();

  constructor(task: StreamTask) {
    this.task = task;
  }

  /** Runs `work` after everything queued before it; errors reach the caller, not the queue. */
  lock<T>(work: () => Promise<T> | T): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => {});
    return run;
  }
}
