import { type logCreator, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

/** Routes kafkajs' own log lines into the service's structured logger. */
export function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...rest } = log;
      if (level === logLevel.ERROR) child.warn(rest, message);
      else if (level === logLevel.WARN) child.warn(rest, message);
      else if (level === logLevel.INFO) child.debug(rest, message);
      else child.trace(rest, message);
    };
}
