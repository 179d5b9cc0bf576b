// A Kafka broker of a test's own, for faults no other test may see (restarts,
// outages, a frozen broker). It runs scripts/kafka.sh on its own state directory and ports; the
// shared broker on 9092 is never touched. Its Kafka version is HOOT_KAFKA_VERSION's (as for the
// shared broker of the run: ./hoot test:kafka4 sets it to a 4.x) unless the test names one.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = process.env.HOOT_ROOT ?? resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const SCRIPT = join(ROOT, 'scripts', 'kafka.sh');

/** Two consecutive ports free now (broker and controller), chosen away from the usual ones. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + 2 * Math.floor(Math.random() * 10_000);
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
  throw new Error('no two consecutive free ports found');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = net.createServer();
    server.once('error', () => done(false));
    server.listen({ host: '127.0.0.1', port }, () => server.close(() => done(true)));
  });
}

/**
 * A single-node broker in a temporary directory on free ports. `start`, `stop` and `restart` are
 * the script's own (a clean SIGTERM stop, a start that waits until the broker answers); `freeze`
 * and `thaw` send SIGSTOP and SIGCONT to the broker's JVM, a broker that hangs without closing a
 * connection. `destroy` stops it and removes its directory.
 */
export class PrivateBroker {
  readonly dir = mkdtempSync(join(tmpdir(), 'hoot-broker-'));
  /** The Kafka version scripts/kafka.sh runs (HOOT_KAFKA_VERSION), e.g. `3.9.1` or `4.4.0`. */
  readonly version: string;
  #port = 0;
  #frozen: number | undefined;

  constructor(options: { version?: string } = {}) {
    this.version = options.version ?? process.env.HOOT_KAFKA_VERSION ?? '3.9.1';
  }

  /** `host:port` for KAFKA_BROKERS. */
  get brokers(): string {
    if (this.#port === 0) throw new Error('the private broker has not been started');
    return `127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  async #script(command: string): Promise<string> {
    const { stdout } = await run('bash', [SCRIPT, command], {
      env: {
        ...process.env,
        HOOT_ROOT: ROOT,
        HOOT_STATE: this.dir,
        HOOT_KAFKA_VERSION: this.version,
        HOOT_KAFKA_PORT: String(this.#port),
        HOOT_KAFKA_CONTROLLER_PORT: String(this.#port + 1),
        HOOT_KAFKA_HEAP: '-Xms256m -Xmx512m',
      },
      timeout: 180_000,
    });
    return stdout.trim();
  }

  /** Starts the broker (choosing its ports the first time) and resolves once it answers. */
  async start(): Promise<void> {
    if (this.#port === 0) this.#port = await freePortPair();
    await this.#script('start');
  }

  /** Stops the broker cleanly (SIGTERM; the script kills it after 60 s). */
  async stop(): Promise<void> {
    await this.thaw();
    await this.#script('stop');
  }

  /** Stops and starts the broker, as a rolling restart does to one node. */
  async restart(): Promise<void> {
    await this.thaw();
    await this.#script('restart');
  }

  /** The broker JVM's pid. */
  async pid(): Promise<number> {
    const pid = Number(await this.#script('pid'));
    if (!Number.isInteger(pid) || pid <= 0) throw new Error('the private broker is not running');
    return pid;
  }

  /** Suspends the broker's process: connections stay open and nothing answers. */
  async freeze(): Promise<void> {
    const pid = await this.pid();
    process.kill(pid, 'SIGSTOP');
    this.#frozen = pid;
  }

  /** Resumes a frozen broker. */
  async thaw(): Promise<void> {
    if (this.#frozen === undefined) return;
    process.kill(this.#frozen, 'SIGCONT');
    this.#frozen = undefined;
  }

  /** Stops the broker and removes its data. */
  async destroy(): Promise<void> {
    if (this.#port !== 0) await this.stop().catch(() => {});
    if (process.env.HOOT_KEEP_TEST_DATA !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}
