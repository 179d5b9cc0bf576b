/** A subscription endpoint the dispatcher will not send to; never retried. */
export class EndpointRefusedError extends Error {
  readonly code = 'ENDPOINT_REFUSED';
  readonly retriable = false;
  readonly reason: 'not_https' | 'host_not_allowed' | 'forbidden_address' | 'malformed';

  constructor(reason: EndpointRefusedError['reason'], message: string) {
    super(message);
    this.name = 'EndpointRefusedError';
    this.reason = reason;
  }
}
