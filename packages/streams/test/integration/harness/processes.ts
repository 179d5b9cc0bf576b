import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const COUNTING_APP = fileURLToPath(new URL('../../fixtures/counting-app.ts', import.meta.url));

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A processor running as its own OS process, so that tests can kill -9 it. */
export class AppProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly #waiters: Array<{ test: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];

  constructor(env: Record<string, string>, script = COUNTING_APP) {
    this.child = spawn(process.execPath, [script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const text = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        try {
          const line = JSON.parse(text) as LogLine;
          this.logs.push(line);
          for (const waiter of [...this.#waiters]) {
            if (waiter.test(line)) {
              this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
              waiter.resolve(line);
            }
          }
        } catch {
          // not a log line
        }
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        if (code !== 0 && code !== null && this.stderr !== '') process.stderr.write(this.stderr);
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  waitForLog(test: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    const seen = this.logs.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching log line within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  kill9(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    return this.exited;
  }
}
