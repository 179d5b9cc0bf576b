// A local push service for tests and the benchmark, run as its own process. It does what a
// browser vendor's push service and the browser do together: checks the VAPID JWT of each push
// (ES256 against the k= key, audience = its own origin, not expired, and the key the subscription
// was made with), decrypts the aes128gcm payload with the subscriber's private key, records what
// arrived, and answers as it was told to per endpoint: 201, 404, 410, 413, 429 + Retry-After,
// 500, 400/401/403, or never.
//
// HTTPS push endpoints on PUSH_PORT (https://localhost:<port>/push/<id>); a plain-HTTP admin api on
// ADMIN_PORT (127.0.0.1) for the tests. TLS_CERT/TLS_KEY name PEM files. DECRYPT_EVERY=n decrypts
// one push in n (the benchmark's choice, to leave CPU to the dispatcher); every push is verified.
// Prints {"pushPort":…,"adminPort":…} on stdout once listening.
import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import ece from 'http_ece';

interface Subscription {
  id: number;
  privateKey: ReturnType<typeof createECDH>;
  p256dh: string;
  auth: string;
  /** The VAPID public key the subscription was made with, when the test gave one. */
  applicationServerKey: string | undefined;
}

/** How the service answers a subscription's pushes (the harness sets it over HTTP). */
export type Answer = 201 | 400 | 401 | 403 | 404 | 410 | 413 | 429 | 500 | 503 | 'hang';

interface Behaviour {
  answer: Answer;
  /** Answer this way this many times, then 201; undefined: always. */
  times: number | undefined;
  retryAfter: string | undefined;
}

/** One push as received, reported to the harness over HTTP. */
export interface ReceivedPush {
  endpoint: number;
  at: number;
  status: number | 'hang';
  ttl: string | undefined;
  urgency: string | undefined;
  topic: string | undefined;
  vapidSubject: string;
  /** The decrypted JSON, or null when not decrypted (DECRYPT_EVERY). */
  payload: Record<string, unknown> | null;
}

const decryptEvery = Number(process.env.DECRYPT_EVERY ?? 1);
const recordPayloads = process.env.RECORD !== '0';
const subscriptions = new Map<number, Subscription>();
const behaviours = new Map<number | '*', Behaviour>();
let received: ReceivedPush[] = [];
const stats = {
  requests: 0,
  byStatus: {} as Record<string, number>,
  decrypted: 0,
  vapidVerified: 0,
  vapidRejected: 0,
  decryptFailures: 0,
};
let delayMs = 0;
let pushOrigin = '';
/** Verified Authorization headers and their expiry (s): a JWT is checked once, like FCM caches it. */
const verifiedHeaders = new Map<string, { exp: number; sub: string; k: string }>();

function reject(reason: string): never {
  throw Object.assign(new Error(reason), { status: 403 });
}

function publicKeyFromRaw(raw: Buffer) {
  if (raw.length !== 65 || raw[0] !== 4) reject('k is not an uncompressed P-256 point');
  return createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
  });
}

/** RFC 8292: `vapid t=<JWT>, k=<base64url P-256 public key>`. */
function verifyVapid(authorization: string | undefined, audience: string): { sub: string; k: string } {
  if (authorization === undefined) reject('no Authorization header');
  const cached = verifiedHeaders.get(authorization);
  const nowSeconds = Date.now() / 1000;
  if (cached !== undefined && cached.exp > nowSeconds) return cached;
  const match = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+),\s*k=([A-Za-z0-9_-]+)$/.exec(
    authorization,
  );
  if (match === null) reject('Authorization is not "vapid t=…, k=…"');
  const [, jwt, k] = match as unknown as [string, string, string];
  const [headerPart, payloadPart, signaturePart] = jwt.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString()) as { alg?: string };
  if (header.alg !== 'ES256') reject(`JWT alg ${header.alg} is not ES256`);
  const ok = verify(
    'sha256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    { key: publicKeyFromRaw(Buffer.from(k, 'base64url')), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!ok) reject('JWT signature does not verify against k');
  const claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString()) as {
    aud?: string;
    exp?: number;
    sub?: string;
  };
  if (claims.aud !== audience) reject(`JWT aud ${claims.aud} is not ${audience}`);
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) reject('JWT expired');
  if (claims.exp > nowSeconds + 24 * 3600 + 60) reject('JWT exp more than 24 h ahead');
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub))
    reject('JWT sub is not mailto: or https:');
  const verified = { exp: claims.exp, sub: claims.sub, k };
  verifiedHeaders.set(authorization, verified);
  stats.vapidVerified++;
  return verified;
}

function behaviourFor(id: number): Behaviour | undefined {
  const own = behaviours.get(id);
  const behaviour = own ?? behaviours.get('*');
  if (behaviour === undefined) return undefined;
  if (behaviour.times !== undefined) {
    if (behaviour.times <= 0) return undefined;
    if (own !== undefined) behaviour.times--;
  }
  return behaviour;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function answer(response: ServerResponse, status: number, headers: Record<string, string> = {}, body = '') {
  stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  response.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

async function handlePush(request: IncomingMessage, response: ServerResponse) {
  stats.requests++;
  const body = await readBody(request);
  const match = /^\/push\/(\d+)$/.exec(request.url ?? '');
  const subscription = match === null ? undefined : subscriptions.get(Number(match[1]));
  if (request.method !== 'POST' || subscription === undefined)
    return answer(response, 404, {}, 'no such subscription');
  const record: ReceivedPush = {
    endpoint: subscription.id,
    at: Date.now(),
    status: 201,
    ttl: request.headers.ttl as string | undefined,
    urgency: request.headers.urgency as string | undefined,
    topic: request.headers.topic as string | undefined,
    vapidSubject: '',
    payload: null,
  };
  try {
    const vapid = verifyVapid(request.headers.authorization, pushOrigin);
    if (subscription.applicationServerKey !== undefined && vapid.k !== subscription.applicationServerKey) {
      reject('k is not the applicationServerKey the subscription was made with');
    }
    record.vapidSubject = vapid.sub;
  } catch (error) {
    stats.vapidRejected++;
    return answer(response, 403, {}, (error as Error).message);
  }
  if (request.headers['content-encoding'] !== 'aes128gcm') return answer(response, 400, {}, 'not aes128gcm');
  if (!/^\d+$/.test(String(request.headers.ttl))) return answer(response, 400, {}, 'no TTL');
  if (record.topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(record.topic)) {
    return answer(response, 400, {}, 'bad Topic');
  }
  if (body.length > 4096) return answer(response, 413, {}, 'payload over 4096 bytes');

  const behaviour = behaviourFor(subscription.id);
  if (behaviour?.answer === 'hang') {
    record.status = 'hang';
    if (recordPayloads) received.push(record);
    return; // never answered; the client times out
  }
  const status = behaviour?.answer ?? 201;
  record.status = status;
  if (status === 201 && stats.requests % decryptEvery === 0) {
    try {
      const plaintext = ece.decrypt(body, {
        version: 'aes128gcm',
        privateKey: subscription.privateKey,
        authSecret: subscription.auth,
      });
      record.payload = JSON.parse(plaintext.toString('utf8'));
      stats.decrypted++;
    } catch (error) {
      stats.decryptFailures++;
      return answer(response, 400, {}, `cannot decrypt: ${(error as Error).message}`);
    }
  }
  if (recordPayloads) received.push(record);
  const headers: Record<string, string> =
    behaviour?.retryAfter === undefined ? {} : { 'retry-after': behaviour.retryAfter };
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  answer(
    response,
    status,
    status === 201 ? { location: `/message/${randomBytes(8).toString('hex')}` } : headers,
  );
}

/** Makes `count` subscriptions; `distinctKeys` of them have their own key pair, the rest share those. */
function createSubscriptions(count: number, distinctKeys: number, applicationServerKey: string | undefined) {
  const keys: Array<{ ecdh: ReturnType<typeof createECDH>; p256dh: string; auth: string }> = [];
  const firstId = subscriptions.size + 1;
  const created: Array<{ id: number; endpoint: string; p256dh: string; auth: string }> = [];
  for (let i = 0; i < count; i++) {
    let key = keys[i % distinctKeys];
    if (key === undefined) {
      const ecdh = createECDH('prime256v1');
      const p256dh = ecdh.generateKeys().toString('base64url');
      key = { ecdh, p256dh, auth: randomBytes(16).toString('base64url') };
      keys.push(key);
    }
    const id = firstId + i;
    subscriptions.set(id, {
      id,
      privateKey: key.ecdh,
      p256dh: key.p256dh,
      auth: key.auth,
      applicationServerKey,
    });
    created.push({ id, endpoint: `${pushOrigin}/push/${id}`, p256dh: key.p256dh, auth: key.auth });
  }
  return created;
}

async function handleAdmin(request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? '/', 'http://admin');
  const json = (value: unknown) => {
    const text = JSON.stringify(value);
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  };
  const body = request.method === 'POST' ? JSON.parse((await readBody(request)).toString() || '{}') : {};
  if (url.pathname === '/subscriptions' && request.method === 'POST') {
    const { count, distinctKeys, applicationServerKey } = body as {
      count: number;
      distinctKeys?: number;
      applicationServerKey?: string;
    };
    return json(createSubscriptions(count, distinctKeys ?? count, applicationServerKey));
  }
  if (url.pathname === '/behaviour' && request.method === 'POST') {
    const { endpoints, answer, times, retryAfter } = body as {
      endpoints: Array<number> | '*';
      answer: Answer;
      times?: number;
      retryAfter?: string;
    };
    for (const id of endpoints === '*' ? ['*' as const] : endpoints) {
      behaviours.set(id, { answer, times, retryAfter });
    }
    return json({ ok: true });
  }
  if (url.pathname === '/delay' && request.method === 'POST') {
    delayMs = (body as { ms: number }).ms;
    return json({ ok: true });
  }
  if (url.pathname === '/received') return json(received);
  if (url.pathname === '/stats') return json(stats);
  if (url.pathname === '/reset' && request.method === 'POST') {
    received = [];
    behaviours.clear();
    return json({ ok: true });
  }
  response.writeHead(404).end();
}

const push = createServer(
  {
    cert: readFileSync(process.env.TLS_CERT!),
    key: readFileSync(process.env.TLS_KEY!),
    keepAliveTimeout: 120_000,
  },
  (request, response) => {
    handlePush(request, response).catch((error: unknown) => answer(response, 500, {}, String(error)));
  },
);
push.headersTimeout = 0;
push.requestTimeout = 0;
const admin = createHttpServer((request, response) => {
  handleAdmin(request, response).catch((error: unknown) => {
    response.writeHead(500).end(String(error));
  });
});
const pushHost = process.env.PUSH_HOST ?? 'localhost';
push.listen(Number(process.env.PUSH_PORT ?? 0), '127.0.0.1', () => {
  const pushPort = (push.address() as { port: number }).port;
  pushOrigin = `https://${pushHost}:${pushPort}`;
  admin.listen(Number(process.env.ADMIN_PORT ?? 0), '127.0.0.1', () => {
    const adminPort = (admin.address() as { port: number }).port;
    process.stdout.write(`${JSON.stringify({ pushPort, adminPort, pushOrigin })}\n`);
  });
});
process.on('SIGTERM', () => process.exit(0));
