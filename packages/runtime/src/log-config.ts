import { Type } from '@sinclair/typebox';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Environment variables of every service's structured logging. */
export const logEnvProperties = {
  LOG_LEVEL: Type.Unsafe<LogLevel>({
    type: 'string',
    enum: [...LOG_LEVELS],
    default: 'info',
    description: 'pino log level',
  }),
};
