import { cpus, totalmem } from 'node:os';

/** One line describing where a benchmark ran, printed beside its figures. */
export function machineLine(): string {
  const cpu = cpus();
  return [
    `cpu: ${cpu[0]?.model ?? 'unknown'} x${cpu.length}`,
    `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `node ${process.version}`,
    `${process.platform}/${process.arch}`,
  ].join(', ');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
