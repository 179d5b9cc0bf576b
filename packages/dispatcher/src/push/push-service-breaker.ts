/**
 * When a push service answers 404/410 for a whole host at once (an FCM incident did so for live
 * subscriptions), those answers say nothing about the subscriptions: expiring them would wipe
 * the audience. DESIGN (Subscribers): a 404/410 expires that endpoint only; the same 4xx for a
 * whole host is an incident (alert, keep the subscribers).
 */
export interface PushServiceBreakerOptions {
  /** How far back answers are counted, in ms. */
  windowMs: number;
  /** Identical 404/410 answers within the window needed to trip (at least). */
  minAnswers: number;
  /** And their share of all the host's answers within the window, in (0, 1]. */
  share: number;
  /** How long a tripped host is paused before it is tried again, in ms. */
  pauseMs: number;
  now?: () => number;
}

/** A 404/410 answer: its status and what distinguishes it (body text, WNS's error description). */
export interface GoneAnswer {
  status: number;
  reason: string;
}

/** What tripped the breaker of one host. */
export interface PushServiceIncident {
  host: string;
  status: number;
  reason: string;
  /** Identical answers in the window when it tripped. */
  answers: number;
  /** Their share of all the host's answers in the window. */
  share: number;
  /** Epoch ms until which the host is paused. */
  pausedUntil: number;
}

/** Answers of one host in one second. */
interface Bucket {
  second: number;
  total: number;
  gone: Map<string, number>;
}

/** The window of one host: buckets oldest first, with running sums over them. */
interface HostWindow {
  buckets: Bucket[];
  total: number;
  gone: Map<string, number>;
  /** Epoch ms of the last trip; -Infinity before the first. */
  trippedAt: number;
  pausedUntil: number;
}

/**
 * A per-host breaker over push-service answers: it trips when, within `windowMs`, at least
 * `minAnswers` identical 404/410 answers (same status, same reason) make up at least `share` of
 * all the host's answers. Ordinary churn never does: a list's expired subscriptions are a small
 * share of a campaign's answers, and a host answering fewer than `minAnswers` times a window
 * (a small audience) never trips, so a lone 404/410 still expires its endpoint. A tripped host
 * is paused for `pauseMs`; answers arriving while it is paused are not counted, and the window
 * starts empty after it, so the next trip needs fresh evidence. Memory: one bucket per second of
 * the window and host, however many answers.
 */
export function createPushServiceBreaker(options: PushServiceBreakerOptions) {
  const now = options.now ?? Date.now;
  const hosts = new Map<string, HostWindow>();

  function windowOf(host: string): HostWindow {
    let window = hosts.get(host);
    if (window === undefined) {
      window = { buckets: [], total: 0, gone: new Map(), trippedAt: -Infinity, pausedUntil: 0 };
      hosts.set(host, window);
    }
    return window;
  }

  function prune(window: HostWindow, at: number): void {
    const oldest = Math.floor((at - options.windowMs) / 1000);
    while (window.buckets.length > 0 && window.buckets[0]!.second <= oldest) {
      const bucket = window.buckets.shift()!;
      window.total -= bucket.total;
      for (const [key, count] of bucket.gone) {
        const left = (window.gone.get(key) ?? 0) - count;
        if (left > 0) window.gone.set(key, left);
        else window.gone.delete(key);
      }
    }
  }

  function judge(
    host: string,
    window: HostWindow,
    at: number,
    gone: GoneAnswer,
    identical: number,
    share: number,
  ): PushServiceIncident | undefined {
    if (identical < options.minAnswers || share < options.share) return undefined;
    window.trippedAt = at;
    window.pausedUntil = at + options.pauseMs;
    window.buckets = [];
    window.total = 0;
    window.gone.clear();
    return {
      host,
      status: gone.status,
      reason: gone.reason,
      answers: identical,
      share,
      pausedUntil: window.pausedUntil,
    };
  }

  return {
    /**
     * Counts one answer of `host` (any status; `gone` for a 404/410) and returns the incident
     * when this answer trips the breaker.
     */
    record(host: string, gone?: GoneAnswer): PushServiceIncident | undefined {
      const at = now();
      const window = windowOf(host);
      if (at < window.pausedUntil) return undefined;
      prune(window, at);
      const second = Math.floor(at / 1000);
      let bucket = window.buckets[window.buckets.length - 1];
      if (bucket === undefined || bucket.second !== second) {
        bucket = { second, total: 0, gone: new Map() };
        window.buckets.push(bucket);
      }
      bucket.total++;
      window.total++;
      if (gone === undefined) return undefined;
      const key = `${gone.status} ${gone.reason}`;
      bucket.gone.set(key, (bucket.gone.get(key) ?? 0) + 1);
      const identical = (window.gone.get(key) ?? 0) + 1;
      window.gone.set(key, identical);
      return judge(host, window, at, gone, identical, identical / window.total);
    },
    /**
     * Applies the same rule to the answers one batch got from `host`, which may hold more
     * evidence than the window when other traffic dilutes it: `identical` of its `total`
     * answers from the host were this `gone` answer. Trips (and returns the incident) when
     * they pass both thresholds.
     */
    judgeBatch(
      host: string,
      gone: GoneAnswer,
      identical: number,
      total: number,
    ): PushServiceIncident | undefined {
      const at = now();
      const window = windowOf(host);
      if (at < window.pausedUntil || total === 0) return undefined;
      return judge(host, window, at, gone, identical, identical / total);
    },
    /** Whether `host` tripped at or after `at` (epoch ms): a 404/410 answered since is suspect. */
    trippedSince(host: string, at: number): boolean {
      return (hosts.get(host)?.trippedAt ?? -Infinity) >= at;
    },
    /**
     * Whether a 404/410 answered at `at` came within one window after the host's last pause
     * ended: the tail of an incident, whose last answers may still be wrong while too few to
     * trip again. Such an answer expires nobody; a subscription really gone answers so again at
     * a later campaign and expires then.
     */
    onProbation(host: string, at: number): boolean {
      const window = hosts.get(host);
      if (window === undefined || window.trippedAt === -Infinity) return false;
      return at >= window.pausedUntil && at < window.pausedUntil + options.windowMs;
    },
    /** Whether `host` is paused by an incident now. */
    isPaused(host: string): boolean {
      return (hosts.get(host)?.pausedUntil ?? 0) > now();
    },
    /** Hosts paused by an incident now. */
    pausedHosts(): string[] {
      const at = now();
      return [...hosts].filter(([, window]) => window.pausedUntil > at).map(([host]) => host);
    },
  };
}

export type PushServiceBreaker = ReturnType<typeof createPushServiceBreaker>;
