import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import type { NotificationPayload } from '@hoot/events';
import { SERVICE_WORKER_SCRIPT } from '../../src/sdk/service-worker-script.ts';
import { subscribeSnippet } from '../../src/sdk/subscribe-snippet.ts';

const payload: NotificationPayload = {
  v: 1,
  title: 'Winter sale',
  body: '20% off boots',
  url: 'https://shop.example/boots',
  icon: 'https://shop.example/icon.png',
  notification_id: 'n-1',
  merchant: 'shop.example',
  source: 'campaign',
  source_id: 42,
  subscriber_id: 7,
  token: 'v1.claims.signature',
  ping_url: 'https://api.hoot.example/v1/pings',
};

interface FetchCall {
  url: string;
  /** Virtual milliseconds since the sandbox started. */
  at: number;
  init: {
    method: string;
    keepalive: boolean;
    headers: Record<string, string>;
    body: string;
    signal?: { timeoutMs: number };
  };
}

/** A status, a refused connection, or a connection that hangs until the attempt's timeout. */
type Answer = number | 'network-error' | 'hang';

interface SandboxOptions {
  /** Answers to successive fetches (202 once used up), or an answer by virtual time. */
  answers: Answer[] | ((at: number) => Answer);
  /** Fixes Math.random, to try the jitter's extremes. */
  random?: number;
}

/**
 * Runs the worker script in a sandbox standing in for a browser's ServiceWorkerGlobalScope. Time
 * is virtual: a timer advances the clock by its delay at once, so minutes of retries run in
 * milliseconds and `Date` inside the script reads the virtual clock.
 */
function workerSandbox(options: SandboxOptions | Answer[]) {
  const { answers, random } = Array.isArray(options) ? { answers: options, random: undefined } : options;
  const listeners = new Map<string, (event: unknown) => void>();
  const shown: Array<[string, Record<string, unknown>]> = [];
  const opened: string[] = [];
  const fetches: FetchCall[] = [];
  const delays: number[] = [];
  const start = Date.now();
  let elapsed = 0;
  const RealDate = Date;
  class VirtualDate extends RealDate {
    constructor(...args: [] | [number | string]) {
      if (args.length === 0) super(start + elapsed);
      else super(args[0]);
    }
    static override now() {
      return start + elapsed;
    }
  }
  const self = {
    addEventListener: (type: string, listener: (event: unknown) => void) => listeners.set(type, listener),
    registration: {
      showNotification: async (title: string, options: Record<string, unknown>) => {
        shown.push([title, options]);
      },
    },
    clients: {
      openWindow: async (url: string) => {
        opened.push(url);
      },
    },
  };
  const context = vm.createContext({
    self,
    Promise,
    JSON,
    Date: VirtualDate,
    Math: random === undefined ? Math : Object.assign(Object.create(Math), { random: () => random }),
    Error,
    AbortSignal: { timeout: (ms: number) => ({ timeoutMs: ms }) },
    setTimeout: (fn: () => void, ms: number) => {
      delays.push(ms);
      elapsed += ms;
      setImmediate(fn);
    },
    fetch: async (url: string, init: FetchCall['init']) => {
      fetches.push({ url, at: elapsed, init });
      const answer = typeof answers === 'function' ? answers(elapsed) : (answers.shift() ?? 202);
      if (answer === 'network-error') throw new TypeError('Failed to fetch');
      if (answer === 'hang') {
        elapsed += init.signal?.timeoutMs ?? 3_600_000;
        throw new DOMException('The operation timed out.', 'TimeoutError');
      }
      return { ok: answer >= 200 && answer < 300, status: answer };
    },
  });
  vm.runInContext(SERVICE_WORKER_SCRIPT, context);
  async function dispatch(type: string, event: Record<string, unknown>) {
    const waits: Array<Promise<unknown>> = [];
    listeners.get(type)?.({ ...event, waitUntil: (p: Promise<unknown>) => waits.push(p) });
    await Promise.all(waits);
  }
  return { dispatch, shown, opened, fetches, delays, elapsed: () => elapsed };
}

/** Chromium's limits on how long an event may be extended (see service-worker-script.ts). */
const PUSH_EVENT_LIMIT_MS = 90_000;
const OTHER_EVENT_LIMIT_MS = 300_000;
/** The jitter's extremes: Math.random() of 0 gives 0.5 times the delay, just under 1 gives 1.5. */
const JITTER_EXTREMES = [0, 0.999_999];

/** When an attempt's timeout would abort it, in whole virtual milliseconds. */
function endOf(call: FetchCall): number {
  return Math.round(call.at + (call.init.signal?.timeoutMs ?? Number.POSITIVE_INFINITY));
}

describe('service worker script', () => {
  it('shows the notification and sends the delivery ping as text/plain with keepalive', async () => {
    const sw = workerSandbox([202]);
    await sw.dispatch('push', { data: { json: () => payload } });
    assert.deepEqual(JSON.parse(JSON.stringify(sw.shown)), [
      [
        'Winter sale',
        { body: '20% off boots', data: payload, tag: 'n-1', icon: 'https://shop.example/icon.png' },
      ],
    ]);
    assert.equal(sw.fetches.length, 1);
    const [call] = sw.fetches;
    assert.equal(call?.url, payload.ping_url);
    assert.equal(call?.init.method, 'POST');
    assert.equal(call?.init.keepalive, true);
    assert.match(call?.init.headers['content-type'] ?? '', /^text\/plain/);
    const body = JSON.parse(call?.init.body ?? '{}');
    assert.equal(body.pings[0].type, 'delivery');
    assert.equal(body.pings[0].token, payload.token);
    assert.ok(Math.abs(Date.parse(body.pings[0].time) - Date.now()) < 5000);
  });

  it('retries with growing delays on network errors, 429 and 5xx, keeping the first time; stops on other 4xx', async () => {
    const sw = workerSandbox(['network-error', 503, 429, 202]);
    await sw.dispatch('push', { data: { json: () => payload } });
    assert.equal(sw.fetches.length, 4);
    assert.equal(new Set(sw.fetches.map((f) => f.init.body)).size, 1, 'same body, same time, every attempt');
    assert.equal(sw.delays.length, 3);
    assert.ok(sw.delays[0]! < sw.delays[2]!, `backoff grows: ${sw.delays.join(', ')}`);

    const refused = workerSandbox([403]);
    await refused.dispatch('push', { data: { json: () => payload } });
    assert.equal(refused.fetches.length, 1);

    const down = workerSandbox({ answers: () => 'network-error' });
    await down.dispatch('push', { data: { json: () => payload } });
    const last = down.fetches.at(-1);
    assert.ok(last, 'attempted');
    assert.ok(
      endOf(last) <= PUSH_EVENT_LIMIT_MS - 10_000,
      `gives up before Chromium ends the push event: last attempt at ${last.at} ms`,
    );
  });

  it('every attempt carries a timeout that ends before the deadline', async () => {
    const sw = workerSandbox({ answers: () => 503 });
    await sw.dispatch('push', { data: { json: () => payload } });
    assert.ok(sw.fetches.length > 5);
    for (const call of sw.fetches) {
      const timeout = call.init.signal?.timeoutMs;
      assert.ok(timeout !== undefined && timeout > 0 && timeout <= 10_000, `timeout ${timeout}`);
      assert.ok(endOf(call) <= 80_000, `attempt at ${call.at} ms ends by the deadline`);
    }
  });

  it('delivers the ping after a 60 s outage, refused or hanging, whatever the jitter, within the push event limit', async () => {
    // Each fixed jitter puts the attempts at other times relative to the api's return.
    const jitters = [...Array.from({ length: 40 }, (_, i) => i / 40), 0.999_999];
    for (const random of jitters) {
      for (const down of ['network-error', 'hang'] as const) {
        const sw = workerSandbox({ random, answers: (at) => (at < 60_000 ? down : 202) });
        await sw.dispatch('push', { data: { json: () => payload } });
        const last = sw.fetches.at(-1);
        const label = `${down}, random ${random}`;
        assert.ok(last && last.at >= 60_000, `${label}: an attempt after the outage`);
        assert.ok(last.at < PUSH_EVENT_LIMIT_MS - 10_000, `${label}: delivered at ${last.at} ms`);
        assert.equal(sw.fetches.filter((f) => f.at >= 60_000).length, 1, `${label}: stops once delivered`);
      }
    }
  });

  it('retries a click ping for minutes, inside the limit of a click event', async () => {
    for (const random of JITTER_EXTREMES) {
      const sw = workerSandbox({ random, answers: () => 'network-error' });
      await sw.dispatch('notificationclick', { notification: { data: payload, close: () => {} } });
      const last = sw.fetches.at(-1);
      assert.ok(last && last.at > 240_000, `random ${random}: still retrying after 4 min`);
      assert.ok(endOf(last) <= OTHER_EVENT_LIMIT_MS - 20_000, `random ${random}: ends by ${endOf(last)} ms`);
    }
  });

  it('on click closes the notification, opens the campaign URL and sends the click ping', async () => {
    const sw = workerSandbox([202]);
    let closed = false;
    await sw.dispatch('notificationclick', {
      notification: {
        data: payload,
        close: () => {
          closed = true;
        },
      },
    });
    assert.equal(closed, true);
    assert.deepEqual(sw.opened, ['https://shop.example/boots']);
    assert.equal(JSON.parse(sw.fetches[0]?.init.body ?? '{}').pings[0].type, 'click');
  });

  it('ignores pushes that are not Hoot payloads', async () => {
    const sw = workerSandbox([]);
    await sw.dispatch('push', { data: { json: () => ({ hello: 'world' }) } });
    await sw.dispatch('push', {
      data: {
        json: () => {
          throw new SyntaxError('not JSON');
        },
      },
    });
    await sw.dispatch('push', { data: null });
    assert.equal(sw.shown.length + sw.fetches.length, 0);
  });
});

describe('subscribe snippet', () => {
  it('embeds its settings inertly and parses as JavaScript', () => {
    const script = subscribeSnippet({
      apiUrl: 'https://api.hoot.example',
      merchant: 'shop.example',
      vapidPublicKey: '</script><script>alert(1)</script>',
    });
    assert.ok(!script.includes('</script>'));
    assert.doesNotThrow(() => new vm.Script(script));
  });
});
