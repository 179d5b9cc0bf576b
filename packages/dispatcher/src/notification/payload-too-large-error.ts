import { AES128GCM_OVERHEAD_BYTES, MAX_PUSH_PAYLOAD_BYTES } from '@hoot/events';

/** A notification whose encrypted payload would exceed what push services accept. */
export class PayloadTooLargeError extends Error {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly retriable = false;
  readonly plaintextBytes: number;
  readonly limitBytes: number;

  constructor(plaintextBytes: number, context: string) {
    const limit = MAX_PUSH_PAYLOAD_BYTES - AES128GCM_OVERHEAD_BYTES;
    super(
      `push payload of ${context} is ${plaintextBytes} bytes; push services accept at most ` +
        `${MAX_PUSH_PAYLOAD_BYTES} bytes encrypted, i.e. ${limit} bytes of JSON: shorten the title, body, url or icon`,
    );
    this.name = 'PayloadTooLargeError';
    this.plaintextBytes = plaintextBytes;
    this.limitBytes = limit;
  }
}

/** Throws PayloadTooLargeError when `payload` would not fit a push message once encrypted. */
export function assertPayloadFits(payload: Buffer, context: string): void {
  if (payload.length + AES128GCM_OVERHEAD_BYTES > MAX_PUSH_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(payload.length, context);
  }
}
