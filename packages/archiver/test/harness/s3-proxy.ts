import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@hoot/runtime';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { createS3Store, type S3StoreOptions } from '../../src/storage/s3-store.ts';

const repoRoot = new URL('../../../../', import.meta.url).pathname;
const script = path.join(repoRoot, 'scripts/s3proxy.sh');
const configTemplate = path.join(repoRoot, 'infra/s3proxy/s3proxy.conf');
const logbackConfig = path.join(repoRoot, 'infra/s3proxy/logback.xml');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/** One S3Proxy JVM of a test's own: its port, its directory, its bucket. */
export interface S3ProxyServer {
  /** `http://127.0.0.1:<port>`, path-style. */
  readonly endpoint: string;
  /** A bucket of this server's own, created at start. */
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** The filesystem backend's directory: a directory per bucket, a file per object. */
  readonly directory: string;
  /** An S3 store on this server's bucket under `prefix`; `options` override the store's defaults (timeouts). */
  store(prefix?: string, options?: Partial<S3StoreOptions>): ObjectStore;
  /** SIGTERM (a frozen server is thawed first), then waits until it has exited (SIGKILL after 30 s). */
  stop(): Promise<void>;
  /** SIGKILL, then waits until it has exited. */
  kill(): Promise<void>;
  /** Stops it if it runs, then starts it again on the same port and directory and waits until it answers. */
  restart(): Promise<void>;
  /** SIGSTOP: connections are still accepted by the kernel, but nothing answers. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Stops it and removes the directories this harness created. */
  dispose(): Promise<void>;
}

let classpath: Promise<string> | undefined;

/**
 * The Java classpath that runs S3Proxy: `scripts/s3proxy.sh classpath` resolves infra/s3proxy/pom.xml
 * from Maven Central on the first run (installing a JDK and Maven when missing) and caches it.
 */
export function s3ProxyClasspath(): Promise<string> {
  classpath ??= promisify(execFile)('bash', [script, 'classpath'], {
    env: { ...process.env, HOOT_ROOT: repoRoot },
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout }) => stdout.trim(),
    (error: Error & { stderr?: string }) => {
      classpath = undefined;
      throw new Error(`cannot resolve S3Proxy's classpath: ${error.message}\n${error.stderr ?? ''}`);
    },
  );
  return classpath;
}

/**
 * Starts an S3Proxy (filesystem backend, aws-v4 authentication with the credentials of
 * infra/s3proxy/s3proxy.conf) on a free port (or `port`) with a new temp directory (or
 * `directory`), creates a bucket of its own and resolves once the server answers. The JVM is
 * SIGKILLed if the test process exits without stopping it.
 */
export async function startS3Proxy(
  options: { port?: number; directory?: string } = {},
): Promise<S3ProxyServer> {
  const cp = await s3ProxyClasspath();
  const port = options.port ?? (await freePort());
  const workDir = await mkdtemp(path.join(tmpdir(), 'hoot-s3proxy-'));
  const directory = path.resolve(options.directory ?? path.join(workDir, 'data'));
  const bucket = `hoot-test-${randomBytes(4).toString('hex')}`;
  const template = await readFile(configTemplate, 'utf8');
  const setting = (name: string) =>
    new RegExp(`^${name.replaceAll('.', '\\.')}=(.*)$`, 'm').exec(template)?.[1] ?? '';
  const accessKeyId = setting('s3proxy.identity');
  const secretAccessKey = setting('s3proxy.credential');
  const configFile = path.join(workDir, 's3proxy.conf');
  const logFile = path.join(workDir, 's3proxy.log');
  await writeFile(configFile, template.replaceAll('@PORT@', String(port)).replaceAll('@DATA@', directory));
  // The filesystem backend keeps a bucket as a directory of the same name.
  await mkdir(path.join(directory, bucket), { recursive: true });
  const endpoint = `http://127.0.0.1:${port}`;
  const region = 'us-east-1';

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGKILL');

  const launch = async () => {
    const log = await open(logFile, 'a');
    const started = spawn(
      'java',
      [
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Djava.awt.headless=true',
        `-Dlogback.configurationFile=${logbackConfig}`,
        '-cp',
        cp,
        'org.gaul.s3proxy.Main',
        '--properties',
        configFile,
      ],
      { stdio: ['ignore', log.fd, log.fd] },
    );
    await log.close();
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    process.once('exit', killOnExit);
    void exited.then(() => process.off('exit', killOnExit));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(`S3Proxy exited during start; its log:\n${await tail(logFile)}`);
      }
      try {
        await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
        return; // any answer (403 without credentials) means it serves requests
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        started.kill('SIGKILL');
        throw new Error(
          `S3Proxy did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms; its log:\n${await tail(logFile)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!running()) return;
    child!.kill('SIGCONT');
    child!.kill('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    region,
    directory,
    store(prefix = '', overrides = {}) {
      return createS3Store({
        bucket,
        prefix,
        endpoint,
        region,
        forcePathStyle: true,
        credentials: { accessKeyId, secretAccessKey },
        ...overrides,
      });
    },
    stop,
    async kill() {
      if (!running()) return;
      child!.kill('SIGKILL');
      await exited;
    },
    async restart() {
      await stop();
      await launch();
    },
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    async dispose() {
      await stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-30).join('\n');
}
