import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { appleRefusesSubject } from './apple-subject-rule.ts';
import { createVapidVerifier, type VapidIdentity, VapidRejectedError } from './vapid-verifier.ts';

/** One push message as a push service accepts it (RFC 8030 section 5), VAPID already verified. */
export interface PushMessage {
  /** The last path segment of the endpoint URL `<origin>/push/<id>`. */
  endpointId: string;
  /** The aes128gcm-encrypted payload (RFC 8291), as sent. */
  body: Buffer;
  /** Seconds the push service may keep the message (RFC 8030 section 5.2). */
  ttl: number;
  urgency: string | undefined;
  topic: string | undefined;
  /** WNS's `X-WNS-Cache-Policy` request header, when sent. */
  wnsCachePolicy: string | undefined;
  vapid: VapidIdentity;
  /** Epoch milliseconds. */
  receivedAt: number;
}

/** How to answer a push: a status (201 by default for accepted messages), or never ('hang'). */
export type PushAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** What stands behind one endpoint: a simulated browser, or a subscription a test scripts. */
export interface PushReceiver {
  /**
   * The VAPID public key (base64url) the subscription was made with, its `applicationServerKey`:
   * pushes signed with another key are refused 403 (RFC 8292 section 4.2). Undefined: any key.
   */
  applicationServerKey: string | undefined;
  receive(message: PushMessage): PushAnswer | Promise<PushAnswer>;
}

export interface PushServiceOptions {
  /** PEM certificate and key of the HTTPS listener. */
  tls: { cert: string | Buffer; key: string | Buffer };
  /** Address to listen on; 127.0.0.1 by default. */
  listenHost?: string;
  /** 0 picks a free port. */
  port: number;
  /** The host name in endpoint URLs and the VAPID audience; `localhost` by default. */
  publicHost?: string;
  /** The receiver of an endpoint id, or undefined for an unknown endpoint (404). */
  resolve(endpointId: string): PushReceiver | undefined;
  /**
   * Refuse subjects Apple's push service refuses, with its 403 `{"reason":"BadJwtToken"}`
   * (see appleRefusesSubject). Default: when publicHost is Apple's (`*.push.apple.com`).
   */
  appleSubjectRule?: boolean;
  /** Called with every answer given (status, or 'hang'); for metrics. */
  onAnswer?(status: number | 'hang'): void;
}

/** What the push service saw, for tests and metrics. */
export interface PushServiceCounters {
  requests: number;
  byStatus: Record<string, number>;
  /** JWTs verified (a header already verified is not counted again). */
  vapidVerified: number;
  vapidRejected: number;
}

export interface RunningPushService {
  /** `https://<publicHost>:<port>`: endpoints are `<origin>/push/<id>`, and it is the VAPID audience. */
  origin: string;
  port: number;
  endpointUrl(endpointId: string): string;
  counters(): PushServiceCounters;
  close(): Promise<void>;
}

/** RFC 8030 section 7.2: a push message body larger than 4096 bytes may be refused with 413. */
const MAX_BODY_BYTES = 4096;
const ENDPOINT_PATH = /^\/push\/([A-Za-z0-9_-]{1,128})$/;
/** RFC 8030 section 5.4: a Topic is at most 32 characters of the base64url alphabet. */
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * A local HTTPS push service (RFC 8030) such as browsers' vendors run: it takes `POST
 * /push/<id>`, checks the VAPID credentials (RFC 8292) against its own origin and the key the
 * subscription was made with, checks the headers the protocol requires (aes128gcm encoding, TTL,
 * Topic, the 4096-byte limit) and hands the message to the endpoint's receiver, whose answer it
 * sends (201 with a Location of the message resource by default).
 */
export async function startPushService(options: PushServiceOptions): Promise<RunningPushService> {
  const vapid = createVapidVerifier();
  const appleRule = options.appleSubjectRule ?? /(^|\.)push\.apple\.com$/.test(options.publicHost ?? '');
  const counters: PushServiceCounters = { requests: 0, byStatus: {}, vapidVerified: 0, vapidRejected: 0 };
  let origin = '';

  function answer(response: ServerResponse, status: number, headers: Record<string, string> = {}, body = '') {
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
    options.onAnswer?.(status);
    response.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
    response.end(body);
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    counters.requests++;
    const body = await readBody(request);
    const match = ENDPOINT_PATH.exec(request.url ?? '');
    const endpointId = match?.[1];
    const receiver = endpointId === undefined ? undefined : options.resolve(endpointId);
    if (request.method !== 'POST' || receiver === undefined || endpointId === undefined) {
      return answer(response, 404, {}, 'no such subscription');
    }
    let identity: VapidIdentity;
    try {
      identity = vapid.verify(request.headers.authorization, origin);
      if (receiver.applicationServerKey !== undefined && identity.k !== receiver.applicationServerKey) {
        throw new VapidRejectedError('k is not the applicationServerKey the subscription was made with');
      }
      const refused = appleRule ? appleRefusesSubject(identity.sub) : undefined;
      if (refused !== undefined) {
        counters.vapidRejected++;
        return answer(
          response,
          403,
          { 'content-type': 'application/json', 'x-refused-because': refused },
          JSON.stringify({ reason: 'BadJwtToken' }),
        );
      }
    } catch (error) {
      if (!(error instanceof VapidRejectedError)) throw error;
      counters.vapidRejected++;
      return answer(response, error.status, {}, error.message);
    }
    const ttl = String(request.headers.ttl);
    const topic = request.headers.topic as string | undefined;
    if (request.headers['content-encoding'] !== 'aes128gcm')
      return answer(response, 400, {}, 'not aes128gcm');
    if (!/^\d+$/.test(ttl)) return answer(response, 400, {}, 'no TTL');
    if (topic !== undefined && !TOPIC.test(topic)) return answer(response, 400, {}, 'bad Topic');
    // WNS refuses a TTL of 0 under its default cache policy, and any TTL under `no-cache` that
    // is not 0, as "Ttl value conflicts with X-WNS-Cache-Policy".
    const wnsCachePolicy = request.headers['x-wns-cache-policy'] as string | undefined;
    if (wnsCachePolicy !== undefined && (wnsCachePolicy === 'no-cache') !== (Number(ttl) === 0)) {
      return answer(
        response,
        400,
        {
          'x-wns-error-description': 'Ttl value conflicts with X-WNS-Cache-Policy.',
          'x-wns-status': 'dropped',
        },
        '',
      );
    }
    if (body.length > MAX_BODY_BYTES) return answer(response, 413, {}, 'payload over 4096 bytes');

    const verdict = await receiver.receive({
      endpointId,
      body,
      ttl: Number(ttl),
      urgency: request.headers.urgency as string | undefined,
      topic,
      wnsCachePolicy,
      vapid: identity,
      receivedAt: Date.now(),
    });
    if (verdict === 'hang') {
      options.onAnswer?.('hang');
      return; // never answered: the sender's timeout is what is being tested
    }
    const headers =
      verdict.status === 201
        ? { location: `/message/${randomBytes(8).toString('hex')}`, ...verdict.headers }
        : (verdict.headers ?? {});
    answer(response, verdict.status, headers, verdict.body ?? '');
  }

  const server = createServer(
    { cert: options.tls.cert, key: options.tls.key, keepAliveTimeout: 120_000 },
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) answer(response, 500, {}, String(error));
      });
    },
  );
  // Pushes a receiver never answers must stay open until the sender gives up.
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.listenHost ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  origin = `https://${options.publicHost ?? 'localhost'}:${port}`;
  return {
    origin,
    port,
    endpointUrl: (endpointId) => `${origin}/push/${endpointId}`,
    counters: () => ({
      ...counters,
      byStatus: { ...counters.byStatus },
      vapidVerified: vapid.signaturesVerified(),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
