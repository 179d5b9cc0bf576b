/**
 * Collects items from concurrent callers and hands them to `flush` in batches, one batch in flight
 * at a time: while a flush runs, the next batch fills; when it settles, the next flush starts at
 * once with everything collected meanwhile. Under light load a batch is one item and adds no
 * latency; under heavy load batches grow by themselves, so a slow acknowledgement (acks=all)
 * costs latency, not throughput.
 *
 * Each caller's promise settles with its batch: resolved when `flush` resolves, rejected with the
 * same error when it rejects. With a `deadline`, a caller whose items are not all flushed within
 * `deadline.ms` of its `add` is rejected with `deadline.error()` then, whatever the flushes ahead
 * of it are waiting for; its items still queued are dropped (those already in a flush may land).
 */
export interface MicroBatcher<T> {
  add(items: readonly T[]): Promise<void>;
  /** Resolves when nothing is queued or in flight. */
  drain(): Promise<void>;
  /** Items waiting for the next flush. */
  readonly pending: number;
}

export interface MicroBatcherOptions<T> {
  flush(items: T[]): Promise<void>;
  /** Most items per flush; the rest wait for the next one. */
  maxBatchItems: number;
  /** Called after each flush with its size and duration, for metrics. */
  onFlush?: (items: number, seconds: number, error: unknown) => void;
  /** How long a caller waits at most, in ms, and the error it then gets. */
  deadline?: { ms: number; error(): Error };
}

interface Waiter {
  /** Items of this caller not yet taken into a flush. */
  remaining: number;
  /** Flushes carrying this caller's items that have not settled yet. */
  inFlight: number;
  failed: unknown;
  /** Answered already (settled, or past its deadline). */
  answered: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

export function createMicroBatcher<T>(options: MicroBatcherOptions<T>): MicroBatcher<T> {
  // Invariant: queue holds items in arrival order; owners[i] is the waiter of queue[i].
  let queue: T[] = [];
  let owners: Waiter[] = [];
  let flushing = false;
  let idle: Array<() => void> = [];

  function settle(waiter: Waiter): void {
    if (waiter.answered || waiter.remaining > 0 || waiter.inFlight > 0) return;
    waiter.answered = true;
    clearTimeout(waiter.timer);
    if (waiter.failed === undefined) waiter.resolve();
    else waiter.reject(waiter.failed);
  }

  function expire(waiter: Waiter, error: Error): void {
    if (waiter.answered) return;
    waiter.answered = true;
    if (waiter.remaining > 0) {
      const keep = owners.map((owner) => owner !== waiter);
      queue = queue.filter((_, i) => keep[i]);
      owners = owners.filter((_, i) => keep[i]);
      waiter.remaining = 0;
    }
    waiter.reject(error);
  }

  async function run(): Promise<void> {
    flushing = true;
    while (queue.length > 0) {
      const items = queue.slice(0, options.maxBatchItems);
      const batchOwners = owners.slice(0, options.maxBatchItems);
      queue = queue.slice(items.length);
      owners = owners.slice(items.length);
      const distinct = new Set(batchOwners);
      for (const waiter of batchOwners) waiter.remaining--;
      for (const waiter of distinct) waiter.inFlight++;
      const started = performance.now();
      let error: unknown;
      try {
        await options.flush(items);
      } catch (cause) {
        error = cause ?? new Error('flush failed');
      }
      options.onFlush?.(items.length, (performance.now() - started) / 1000, error);
      for (const waiter of distinct) {
        waiter.inFlight--;
        if (error !== undefined && waiter.failed === undefined) waiter.failed = error;
        settle(waiter);
      }
    }
    flushing = false;
    const waiting = idle;
    idle = [];
    for (const done of waiting) done();
  }

  return {
    add(items) {
      if (items.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          remaining: items.length,
          inFlight: 0,
          failed: undefined,
          answered: false,
          timer: undefined,
          resolve,
          reject,
        };
        const { deadline } = options;
        if (deadline !== undefined)
          waiter.timer = setTimeout(() => expire(waiter, deadline.error()), deadline.ms);
        for (const item of items) {
          queue.push(item);
          owners.push(waiter);
        }
        // Starting on the next turn of the event loop lets requests parsed together share a flush.
        if (!flushing) {
          flushing = true;
          setImmediate(() => void run());
        }
      });
    },
    drain() {
      if (!flushing && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
    get pending() {
      return queue.length;
    },
  };
}
