import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RunningPushService } from './push-service.ts';
import type { Answer, BehaviourOptions, ScriptedEndpoints } from './scripted-endpoints.ts';

/** What `GET /stats` answers: the push service's counters and the scripted endpoints' decryptions. */
export interface PushServiceStats {
  requests: number;
  byStatus: Record<string, number>;
  decrypted: number;
  vapidVerified: number;
  vapidRejected: number;
  decryptFailures: number;
}

function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      } catch (error) {
        reject(error);
      }
    });
    request.on('error', reject);
  });
}

/**
 * The plain-HTTP admin api tests and benchmarks drive the push service with, on 127.0.0.1:
 *
 * - `POST /subscriptions {count, distinctKeys?, applicationServerKey?}` → TestSubscription[]
 * - `POST /behaviour {endpoints: number[] | '*', answer, times?, retryAfter?, body?, headers?}`;
 *   `{endpoints: '*', answer: 201}` forgets every script
 * - `POST /delay {ms}`: wait before answering each accepted push
 * - `GET /received` → ReceivedPush[]; `GET /stats` → PushServiceStats; `POST /reset`
 */
export async function startAdminApi(
  push: RunningPushService,
  endpoints: ScriptedEndpoints,
  port: number,
): Promise<Server> {
  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://admin');
    const json = (value: unknown) => {
      const text = JSON.stringify(value);
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      response.end(text);
    };
    const post = request.method === 'POST';
    const body = post ? await readJson(request) : {};
    if (url.pathname === '/subscriptions' && post) {
      const { count, distinctKeys, applicationServerKey } = body as {
        count: number;
        distinctKeys?: number;
        applicationServerKey?: string;
      };
      return json(endpoints.create(count, distinctKeys ?? count, applicationServerKey, push.endpointUrl));
    }
    if (url.pathname === '/behaviour' && post) {
      const {
        endpoints: ids,
        answer,
        ...options
      } = body as unknown as {
        endpoints: number[] | '*';
        answer: Answer;
      } & BehaviourOptions;
      endpoints.behave(ids, answer, options);
      return json({ ok: true });
    }
    if (url.pathname === '/delay' && post) {
      endpoints.delay((body as { ms: number }).ms);
      return json({ ok: true });
    }
    if (url.pathname === '/received') return json(endpoints.received());
    if (url.pathname === '/stats') {
      const stats: PushServiceStats = { ...push.counters(), ...endpoints.counters() };
      return json(stats);
    }
    if (url.pathname === '/reset' && post) {
      endpoints.reset();
      return json({ ok: true });
    }
    response.writeHead(404).end();
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
