import pino, { type Logger } from 'pino';
import type { LogLevel } from './log-config.ts';

export interface LoggerOptions {
  service: string;
  level: LogLevel;
  /**
   * Write each line before returning. Processes that may be killed with SIGKILL want this, so
   * the last lines before the kill are not lost in a buffer.
   */
  sync?: boolean;
}

/** Structured JSON logs on stdout, one object per line, with the service and pid on each. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    { level: options.level, base: { service: options.service, pid: process.pid } },
    pino.destination({ dest: 1, sync: options.sync ?? true }),
  );
}
