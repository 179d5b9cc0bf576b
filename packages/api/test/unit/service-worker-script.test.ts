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
  init: { method: string; keepalive: boolean; headers: Record<string, string>; body: string };
}

/** Runs the worker script in a sandbox standing in for a browser's ServiceWorkerGlobalScope. */
function workerSandbox(answers: Array<number | 'network-error'>) {
  const listeners = new Map<string, (event: unknown) => void>();
  const shown: Array<[string, Record<string, unknown>]> = [];
  const opened: string[] = [];
  const fetches: FetchCall[] = [];
  const delays: number[] = [];
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
    Date,
    Math,
    Error,
    setTimeout: (fn: () => void, ms: number) => {
      delays.push(ms);
      setImmediate(fn);
    },
    fetch: async (url: string, init: FetchCall['init']) => {
      fetches.push({ url, init });
      const answer = answers.shift() ?? 202;
      if (answer === 'network-error') throw new TypeError('Failed to fetch');
      return { ok: answer >= 200 && answer < 300, status: answer };
    },
  });
  vm.runInContext(SERVICE_WORKER_SCRIPT, context);
  async function dispatch(type: string, event: Record<string, unknown>) {
    const waits: Array<Promise<unknown>> = [];
    listeners.get(type)?.({ ...event, waitUntil: (p: Promise<unknown>) => waits.push(p) });
    await Promise.all(waits);
  }
  return { dispatch, shown, opened, fetches, delays };
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

    const down = workerSandbox(Array(10).fill('network-error'));
    await down.dispatch('push', { data: { json: () => payload } });
    assert.equal(down.fetches.length, 5, 'gives up after the last retry');
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
