import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { freePort } from '@hoot/runtime';
import { sumOfSamples } from '@hoot/workload';

const mainFile = new URL('../../src/main.ts', import.meta.url).pathname;
const outputDir = new URL('../../../../test-output/archiver/', import.meta.url).pathname;

export interface ArchiverProcess {
  process: ChildProcess;
  httpPort: number;
  /** The value of a metric summed over its series, from /metrics. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  readyz(): Promise<{ status: number; body: string }>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/**
 * Runs `node packages/archiver/src/main.ts` with `env` over the service's defaults, its logs in
 * test-output/archiver/<name>.log, and resolves once /readyz answers 200.
 */
export async function startArchiverProcess(
  name: string,
  env: Record<string, string>,
): Promise<ArchiverProcess> {
  const httpPort = await freePort();
  await mkdir(outputDir, { recursive: true });
  const log = createWriteStream(`${outputDir}${name}.log`, { flags: 'a' });
  const child = spawn(process.execPath, [mainFile], {
    env: {
      ...process.env,
      HTTP_PORT: String(httpPort),
      LOG_LEVEL: 'info',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = (path: string) => `http://127.0.0.1:${httpPort}${path}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`archiver exited with ${child.exitCode} (see ${outputDir}${name}.log)`);
    const status = await fetch(url('/readyz')).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() - started > 60_000) throw new Error('archiver not ready within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    process: child,
    httpPort,
    async metric(metricName, labels = {}) {
      return sumOfSamples(await (await fetch(url('/metrics'))).text(), metricName, labels);
    },
    async readyz() {
      const response = await fetch(url('/readyz'));
      return { status: response.status, body: await response.text() };
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
