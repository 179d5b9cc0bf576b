export interface EventTimeInput {
  /** The browser's clock at delivery or click, as it sent it; absent when it sent none. */
  clientTime: string | undefined;
  /** When the api received the ping, epoch milliseconds. */
  receivedAt: number;
  /** The earliest the notification can have existed: its token's issue time, epoch milliseconds. */
  notBefore: number;
  /** How far ahead of ours a browser's clock may run. */
  maxSkewMs: number;
}

export interface EventTime {
  epochMs: number;
  source: 'client' | 'server';
}

/**
 * The time a ping counts at. The browser's own time is the better one: a service worker may
 * retry a ping for minutes, and a phone may deliver a queued ping hours later, so the arrival
 * time can land in the wrong hourly window. But browsers' clocks can be wrong and a ping can lie,
 * so the client's time is used only when it is plausible: no later than our clock plus a small
 * skew and no earlier than the token's issue (a notification cannot be seen before it was sent).
 * Otherwise the server's receive time is used.
 */
export function chooseEventTime(input: EventTimeInput): EventTime {
  if (input.clientTime !== undefined) {
    const client = Date.parse(input.clientTime);
    if (
      Number.isFinite(client) &&
      client <= input.receivedAt + input.maxSkewMs &&
      client >= input.notBefore
    ) {
      return { epochMs: client, source: 'client' };
    }
  }
  return { epochMs: input.receivedAt, source: 'server' };
}
