import { errorChain as chain } from '@hoot/kafka';
import type { Logger } from 'pino';

/** Exit code of a service that could not start (a supervisor restarts it; a human reads why). */
export const EXIT_STARTUP_FAILED = 1;

/** A listening port another process already holds; names the variable that chooses it. */
export class PortInUseError extends Error {
  readonly port: number;
  readonly variable: string;
  constructor(port: number, variable: string, options?: ErrorOptions) {
    super(`port ${port} is already in use by another process; set ${variable} to a free port`, options);
    this.name = 'PortInUseError';
    this.port = port;
    this.variable = variable;
  }
}

/** What a service was configured with, so the one line names the setting to change. */
export interface StartupContext {
  /** The variable that sets the listening port (HTTP_PORT, PORT) and its value. */
  portVariable?: string;
  port?: number;
  /** The Kafka brokers tried (KAFKA_BROKERS). */
  brokers?: string[];
}

/**
 * Why a service could not start, in one sentence that says what to change: a port in use (and
 * its variable), Kafka unreachable after the client's retries (and KAFKA_BROKERS), else the
 * error's own message.
 */
export function describeStartupFailure(error: unknown, context: StartupContext = {}): string {
  const errors = chain(error);
  const inUse = errors.find((e) => e instanceof PortInUseError);
  if (inUse !== undefined) return inUse.message;
  if (errors.some((e) => (e as { code?: unknown }).code === 'EADDRINUSE')) {
    return new PortInUseError(context.port ?? 0, context.portVariable ?? 'the port variable').message;
  }
  const kafka = errors.find((e) =>
    /^KafkaJS(ConnectionError|NumberOfRetriesExceeded|BrokerNotFound|RequestTimeoutError)/.test(
      (e as { name?: unknown }).name as string,
    ),
  );
  if (kafka !== undefined) {
    const reasons = [...new Set(errors.map((e) => (e as Error).message).filter(Boolean))];
    return `Kafka is unreachable at ${context.brokers?.join(',') ?? 'the configured brokers'} after retrying (KAFKA_BROKERS): ${reasons.join(': ')}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Ends a service whose start failed: one fatal log line saying why (no stack trace to dig
 * through), then exit code EXIT_STARTUP_FAILED.
 */
export function exitOnStartupFailure(logger: Logger, error: unknown, context: StartupContext = {}): never {
  const code = chain(error)
    .map((e) => (e as { code?: unknown }).code)
    .find((c) => typeof c === 'string');
  logger.fatal({ code, ...context }, `cannot start: ${describeStartupFailure(error, context)}`);
  process.exit(EXIT_STARTUP_FAILED);
}
