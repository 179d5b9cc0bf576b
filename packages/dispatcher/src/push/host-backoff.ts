/**
 * Per push-service host pauses: after a 429 or 503 every send to that host waits until the time
 * the service asked for (Retry-After) instead of hammering it with the rest of the batch.
 */
export function createHostBackoff(now: () => number = Date.now) {
  const pausedUntil = new Map<string, number>();
  return {
    /** Resolves once `host` is not paused (at once when it is not). */
    async wait(host: string): Promise<void> {
      for (;;) {
        const until = pausedUntil.get(host);
        if (until === undefined) return;
        const left = until - now();
        if (left <= 0) {
          pausedUntil.delete(host);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, left));
      }
    },
    pause(host: string, ms: number): void {
      const until = now() + ms;
      if ((pausedUntil.get(host) ?? 0) < until) pausedUntil.set(host, until);
    },
    isPaused(host: string): boolean {
      return (pausedUntil.get(host) ?? 0) > now();
    },
  };
}

export type HostBackoff = ReturnType<typeof createHostBackoff>;
