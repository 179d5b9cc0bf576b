import { spawn } from 'node:child_process';

/**
 * Runs a benchmark phase as a process of its own (so that its CPU time and peak RSS are its own)
 * and resolves with the JSON object of the last line it printed on stdout; stderr passes through.
 * Rejects when the process cannot start or exits with a non-zero code, naming `label`.
 */
export function runJsonLineProcess(
  label: string,
  command: string,
  args: string[],
): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`${label} exited with ${code}: ${last}`));
      else resolve(JSON.parse(last) as Record<string, number>);
    });
  });
}
