// A benchmark's server under test, in a process of its own so load generation does not share its CPU.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);

/** Starts `script` (relative to the repository root) and resolves with the address it logs as listening. */
export async function startServer(
  script: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, root))], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        const match = /"address":"(http:\/\/[^"]+)"/.exec(line);
        if (match?.[1] !== undefined && /listening/.test(line)) resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    setTimeout(() => reject(new Error(`${script} did not log its address in 60 s`)), 60_000).unref();
  });
  return { child, address };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await once(child, 'exit');
}
