// A Postgres cluster of the test's own, on its own port, so that a test can stop and start it
// without touching the machine's server.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root).sort((a, b) => Number(a) - Number(b));
  const latest = versions.at(-1);
  if (latest === undefined) throw new Error(`no Postgres under ${root}`);
  return join(root, latest, 'bin');
}

export class TemporaryPostgres {
  readonly port = 25_432 + Math.floor(Math.random() * 2000);
  readonly dir = mkdtempSync(join(tmpdir(), 'hoot-pg-'));
  readonly #bin = binDir();
  // Postgres refuses to run as root: run its tools as the postgres user then.
  readonly #asRoot = process.getuid?.() === 0;

  #run(tool: string, args: string[]): void {
    const command = join(this.#bin, tool);
    if (this.#asRoot) execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' });
    else execFileSync(command, args, { stdio: 'pipe' });
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  init(): void {
    if (this.#asRoot)
      chownSync(this.dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
    this.#run('initdb', ['-D', this.dir, '-U', 'postgres', '--auth=trust', '--no-sync']);
  }

  start(): void {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.#run('pg_ctl', ['-D', this.dir, '-o', options, '-l', join(this.dir, 'server.log'), '-w', 'start']);
  }

  /** Stops the server the hard way: like a crash, connections cut, nothing flushed politely. */
  stop(): void {
    this.#run('pg_ctl', ['-D', this.dir, '-m', 'immediate', '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
