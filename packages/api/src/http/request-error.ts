/**
 * A request the api refuses: a 4xx with a machine-readable code, the field at fault when there is
 * one, and a message safe to show to the caller.
 */
export class RequestError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(statusCode: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'RequestError';
    this.statusCode = statusCode;
    this.code = code;
    this.field = field;
  }
}

/**
 * A dependency (Kafka, Postgres, the archive) did not answer in time: 503, and the client may
 * retry. `code` names what is unavailable when a client can tell it apart (default
 * `service_unavailable`); the message is shown to the caller, the cause only logged.
 */
export class ServiceUnavailableError extends Error {
  readonly statusCode = 503;
  readonly code: string;
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceUnavailableError';
    this.code = options?.code ?? 'service_unavailable';
  }
}
