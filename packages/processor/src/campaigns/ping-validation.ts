import type { Ping } from '@hoot/events';
import { parsePingTime } from './ping-time.ts';

export interface PingTimes {
  delivered: number | null;
  clicked: number | null;
}

/** A ping the reporting cannot use; the engine dead-letters it with this message. */
export class InvalidPingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPingError';
  }
}

/**
 * The delivery and click times of a ping, epoch ms. `event_time`, when the api set it, is the
 * parsed time of whichever of the two the ping carries.
 */
export function pingTimes(ping: Ping): PingTimes {
  let times = parsed.get(ping);
  if (times === undefined) {
    times = readPingTimes(ping);
    parsed.set(ping, times);
  }
  return times;
}

// A ping's times are needed by several steps of the topology: parse each ping once.
const parsed = new WeakMap<Ping, PingTimes>();

function readPingTimes(ping: Ping): PingTimes {
  const delivered = parsePingTime(ping.delivered_time);
  const clicked = parsePingTime(ping.clicked_time);
  if (Number.isNaN(delivered))
    throw new InvalidPingError(`delivered_time is not a time: ${ping.delivered_time}`);
  if (Number.isNaN(clicked)) throw new InvalidPingError(`clicked_time is not a time: ${ping.clicked_time}`);
  if (delivered === null && clicked === null) {
    throw new InvalidPingError('a ping needs delivered_time or clicked_time');
  }
  if (ping.event_time !== null && (delivered === null) !== (clicked === null)) {
    return delivered === null
      ? { delivered: null, clicked: ping.event_time }
      : { delivered: ping.event_time, clicked: null };
  }
  return { delivered, clicked };
}

/** The event time a ping's record is ordered by: its earliest time. */
export function pingEventTime(ping: Ping): number {
  const { delivered, clicked } = pingTimes(ping);
  return Math.min(delivered ?? Number.POSITIVE_INFINITY, clicked ?? Number.POSITIVE_INFINITY);
}
