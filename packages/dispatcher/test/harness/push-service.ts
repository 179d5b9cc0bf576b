import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type Answer,
  type BehaviourOptions,
  makeSelfSignedCert,
  type PushServiceStats,
  pushServiceMainFile,
  type ReceivedPush,
  type TestSubscription,
} from '@hoot/simulator';

export type { Answer, PushServiceStats, ReceivedPush, TestSubscription };

/** The simulator's local HTTPS push service, with its admin api, in its own process. */
export interface PushService {
  origin: string;
  pushPort: number;
  /** PEM of its self-signed certificate: give it to the dispatcher as NODE_EXTRA_CA_CERTS. */
  certFile: string;
  subscribe(
    count: number,
    options?: { distinctKeys?: number; applicationServerKey?: string },
  ): Promise<TestSubscription[]>;
  behave(endpoints: number[] | '*', answer: Answer, options?: BehaviourOptions): Promise<void>;
  delay(ms: number): Promise<void>;
  received(): Promise<ReceivedPush[]>;
  stats(): Promise<PushServiceStats>;
  stop(): Promise<void>;
  process: ChildProcess;
}

export async function startPushService(env: Record<string, string> = {}): Promise<PushService> {
  const tls = makeSelfSignedCert();
  const child = spawn(process.execPath, [pushServiceMainFile], {
    env: { ...process.env, TLS_CERT: tls.certFile, TLS_KEY: tls.keyFile, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`push service exited with ${code}`)));
  });
  const { pushPort, adminPort, pushOrigin } = JSON.parse(firstLine) as {
    pushPort: number;
    adminPort: number;
    pushOrigin: string;
  };
  const admin = `http://127.0.0.1:${adminPort}`;
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${admin}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!response.ok) throw new Error(`push service ${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    origin: pushOrigin,
    pushPort,
    certFile: tls.certFile,
    process: child,
    subscribe: (count, options = {}) => call('/subscriptions', { count, ...options }),
    behave: async (endpoints, answer, options = {}) => {
      await call('/behaviour', { endpoints, answer, ...options });
    },
    delay: async (ms) => {
      await call('/delay', { ms });
    },
    received: () => call('/received'),
    stats: () => call('/stats'),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      // The certificate and its private key go with the service that used them.
      rmSync(tls.dir, { recursive: true, force: true });
    },
  };
}
