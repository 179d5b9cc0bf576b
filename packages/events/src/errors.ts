/** Where a record came from, when known: carried by every error so a log line can point at it. */
export interface RecordContext {
  topic?: string;
  partition?: number;
  offset?: string;
}

/** Base of every error this package throws. `retriable` says whether trying again can succeed. */
export class HootEventsError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: RecordContext;

  constructor(
    code: string,
    message: string,
    options: { retriable?: boolean; context?: RecordContext; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

export type FrameErrorCode =
  | 'FRAME_TOO_SHORT'
  | 'BAD_MAGIC_BYTE'
  | 'UNKNOWN_SCHEMA_ID'
  | 'INCOMPATIBLE_SCHEMA'
  | 'BAD_AVRO_BODY';

/** A message that cannot be decoded: never retriable, it belongs in a dead-letter topic. */
export class FrameError extends HootEventsError {
  declare readonly code: FrameErrorCode;
  constructor(
    code: FrameErrorCode,
    message: string,
    options: { context?: RecordContext; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, retriable: false });
  }
}

/** A value that does not match its schema, refused before it is written. */
export class InvalidValueError extends HootEventsError {
  readonly paths: string[];
  constructor(schemaName: string, paths: string[]) {
    super('INVALID_VALUE', `value does not match schema ${schemaName} at ${paths.join(', ') || '(root)'}`);
    this.paths = paths;
  }
}

/** The schema registry failed to answer or refused a request. */
export class SchemaRegistryError extends HootEventsError {
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; retriable: boolean; cause?: unknown }) {
    super('SCHEMA_REGISTRY', message, options);
    this.status = options.status;
  }
}
