import { type logCreator, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * A kafkajs logCreator writing to a pino logger, levels mapped one to one (kafkajs' NOTHING,
 * ERROR, WARN, INFO, DEBUG); the entry's message becomes the line's `msg`, the rest its fields.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...rest } = log;
      if (level <= logLevel.ERROR) logger.error(rest, message);
      else if (level === logLevel.WARN) logger.warn(rest, message);
      else if (level === logLevel.INFO) logger.info(rest, message);
      else logger.debug(rest, message);
    };
}
