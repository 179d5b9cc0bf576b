import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteTopicsWithPrefix, uniqueName } from './kafka.ts';
import { AppProcess } from './processes.ts';
import { settleCounts } from './workload.ts';

/**
 * One test's application: a unique id naming its topics (`<id>-input`, `<id>-output`, and the
 * engine's internal ones), its state directories and processes, all removed by `cleanup`.
 */
export class TestApplication {
  readonly id: string;
  readonly input: string;
  readonly output: string;
  readonly #dirs: string[] = [];
  readonly #processes: AppProcess[] = [];
  readonly #closers: Array<() => Promise<unknown>> = [];

  constructor(prefix: string) {
    this.id = uniqueName(prefix);
    this.input = `${this.id}-input`;
    this.output = `${this.id}-output`;
  }

  newDir(): string {
    const dir = mkdtempSync(join(tmpdir(), `${this.id}-`));
    this.#dirs.push(dir);
    return dir;
  }

  /** Starts the counting fixture app as its own process on this application's topics. */
  startCountingApp(stateDir: string, env: Record<string, string> = {}): AppProcess {
    const process = new AppProcess({
      APPLICATION_ID: this.id,
      INPUT_TOPIC: this.input,
      OUTPUT_TOPIC: this.output,
      STATE_DIR: stateDir,
      ...env,
    });
    this.#processes.push(process);
    return process;
  }

  /** Also run at cleanup, before directories and topics go (an in-process engine's stop). */
  onCleanup(close: () => Promise<unknown>): void {
    this.#closers.push(close);
  }

  settle(truth: Map<string, number>, timeoutMs?: number): Promise<string[]> {
    return settleCounts({ applicationId: this.id, input: this.input, output: this.output, truth }, timeoutMs);
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.#processes.map((p) => p.stop()), ...this.#closers.map((close) => close())]);
    for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
    await deleteTopicsWithPrefix(this.id);
  }
}
