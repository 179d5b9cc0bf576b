import { createECDH, randomBytes } from 'node:crypto';
import { type BrowserPushKeys, decryptPushMessage } from '../browser/push-decryption.ts';
import type { PushAnswer, PushMessage, PushReceiver } from './push-service.ts';

/** How a scripted subscription answers its pushes. */
export type Answer = 201 | 400 | 401 | 403 | 404 | 406 | 410 | 413 | 429 | 500 | 503 | 'hang';

/** One push as a scripted subscription received it. */
export interface ReceivedPush {
  endpoint: number;
  /** Epoch milliseconds. */
  at: number;
  status: number | 'hang';
  ttl: string | undefined;
  urgency: string | undefined;
  topic: string | undefined;
  /** The `X-WNS-Cache-Policy` header sent, if any. */
  wnsCachePolicy: string | undefined;
  vapidSubject: string;
  /** The decrypted JSON, or null when not decrypted (one push in `decryptEvery`). */
  payload: Record<string, unknown> | null;
}

/** A subscription made by the push service itself, which keeps its private key to decrypt. */
export interface TestSubscription {
  id: number;
  endpoint: string;
  p256dh: string;
  auth: string;
}

interface Behaviour {
  answer: Answer;
  /** Answer this way this many times, then 201; undefined: always. */
  times: number | undefined;
  retryAfter: string | undefined;
  /** Body and extra headers of the answer (a push service's reason, as FCM and WNS give it). */
  body: string | undefined;
  headers: Record<string, string> | undefined;
}

/** How `behave` may shape an answer besides its status. */
export interface BehaviourOptions {
  times?: number;
  retryAfter?: string;
  body?: string;
  headers?: Record<string, string>;
}

interface ScriptedSubscription {
  keys: BrowserPushKeys;
  applicationServerKey: string | undefined;
}

export interface ScriptedEndpointsOptions {
  /** Decrypt one accepted push in this many (decrypting costs CPU a benchmark wants elsewhere). */
  decryptEvery: number;
  /** Keep every push for `received()`; off in benchmarks, whose pushes would fill the memory. */
  record: boolean;
}

/**
 * Subscriptions whose answers a test scripts: each push is answered 201, or as `behave` said
 * (404, 410, 413, 429 with Retry-After, 500, 400/401/403 or never), optionally after a delay;
 * accepted pushes are decrypted as a browser would (400 when that fails, so a sender's encryption
 * bug cannot pass unnoticed) and recorded. Endpoint ids are 1, 2, 3, … in creation order.
 */
export function createScriptedEndpoints(options: ScriptedEndpointsOptions) {
  const subscriptions = new Map<number, ScriptedSubscription>();
  const behaviours = new Map<number | '*', Behaviour>();
  let received: ReceivedPush[] = [];
  let accepted = 0;
  let delayMs = 0;
  const counters = { decrypted: 0, decryptFailures: 0 };

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

  async function receive(id: number, message: PushMessage): Promise<PushAnswer> {
    const subscription = subscriptions.get(id)!;
    const record: ReceivedPush = {
      endpoint: id,
      at: message.receivedAt,
      status: 201,
      ttl: String(message.ttl),
      urgency: message.urgency,
      topic: message.topic,
      wnsCachePolicy: message.wnsCachePolicy,
      vapidSubject: message.vapid.sub,
      payload: null,
    };
    const behaviour = behaviourFor(id);
    if (behaviour?.answer === 'hang') {
      record.status = 'hang';
      if (options.record) received.push(record);
      return 'hang';
    }
    const status = behaviour?.answer ?? 201;
    record.status = status;
    if (status === 201 && ++accepted % options.decryptEvery === 0) {
      try {
        record.payload = JSON.parse(decryptPushMessage(message.body, subscription.keys).toString('utf8'));
        counters.decrypted++;
      } catch (error) {
        counters.decryptFailures++;
        return { status: 400, body: `cannot decrypt: ${(error as Error).message}` };
      }
    }
    if (options.record) received.push(record);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const headers: Record<string, string> = {
      ...behaviour?.headers,
      ...(behaviour?.retryAfter === undefined ? {} : { 'retry-after': behaviour.retryAfter }),
    };
    return { status, headers, ...(behaviour?.body === undefined ? {} : { body: behaviour.body }) };
  }

  return {
    /** The receiver behind an endpoint id, for the push service. */
    resolve(endpointId: string): PushReceiver | undefined {
      const id = Number(endpointId);
      const subscription = subscriptions.get(id);
      if (subscription === undefined) return undefined;
      return {
        applicationServerKey: subscription.applicationServerKey,
        receive: (message) => receive(id, message),
      };
    },
    /**
     * Makes `count` subscriptions; `distinctKeys` of them get their own P-256 key pair and auth
     * secret, the rest reuse those (key generation dominates a large benchmark's set-up).
     */
    create(
      count: number,
      distinctKeys: number,
      applicationServerKey: string | undefined,
      endpointUrl: (endpointId: string) => string,
    ): TestSubscription[] {
      const keys: Array<BrowserPushKeys & { p256dh: string }> = [];
      const firstId = subscriptions.size + 1;
      const created: TestSubscription[] = [];
      for (let i = 0; i < count; i++) {
        let key = keys[i % distinctKeys];
        if (key === undefined) {
          const ecdh = createECDH('prime256v1');
          const p256dh = ecdh.generateKeys().toString('base64url');
          key = { ecdh, p256dh, auth: randomBytes(16) };
          keys.push(key);
        }
        const id = firstId + i;
        subscriptions.set(id, { keys: key, applicationServerKey });
        created.push({
          id,
          endpoint: endpointUrl(String(id)),
          p256dh: key.p256dh,
          auth: key.auth.toString('base64url'),
        });
      }
      return created;
    },
    /**
     * Scripts the answers of `endpoints` (or of all without a script of their own: '*'). A
     * 201 for '*' forgets every script, so all answer 201 again.
     */
    behave(endpoints: number[] | '*', answer: Answer, options: BehaviourOptions = {}): void {
      if (endpoints === '*' && answer === 201) {
        behaviours.clear();
        return;
      }
      for (const id of endpoints === '*' ? ['*' as const] : endpoints) {
        behaviours.set(id, {
          answer,
          times: options.times,
          retryAfter: options.retryAfter,
          body: options.body,
          headers: options.headers,
        });
      }
    },
    /** Wait this long before answering each accepted push. */
    delay(ms: number): void {
      delayMs = ms;
    },
    received: (): ReceivedPush[] => received,
    counters: () => ({ ...counters }),
    /** Forgets what was received and every behaviour; subscriptions stay. */
    reset(): void {
      received = [];
      behaviours.clear();
    },
  };
}

export type ScriptedEndpoints = ReturnType<typeof createScriptedEndpoints>;
