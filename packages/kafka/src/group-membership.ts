import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import type { Logger } from 'pino';
import { isBrokerAway } from './kafka-errors.ts';

/** Where a kafkajs consumer stands in its group, kept by `keepInGroup`. */
export interface GroupMembership {
  readonly groupId: string;
  /** True from the consumer's (re)join until it crashes or stops. */
  readonly joined: boolean;
  /** While out of the group after having joined: why (the crash's message). */
  readonly outReason: string | undefined;
  /** Ends the rejoining; call it before disconnecting the consumer. */
  stop(): void;
}

export interface KeepInGroupOptions {
  logger: Logger;
  groupId: string;
  /** A crash kafkajs does not restart from and that is not the broker being away: the caller's to end. */
  onCrash(error: Error): void;
  /** Pause before each rejoin, in ms (default 2,000). */
  rejoinDelayMs?: number;
}

/**
 * Keeps a kafkajs consumer in its group through broker restarts, outages and hangs. kafkajs
 * restarts a consumer after a retriable crash, but gives up for good on some errors that only mean
 * the broker is away: "Failed to find group coordinator" arrives non-retriable once its retries
 * are spent, and the consumer then sits disconnected with nothing logged. After such a crash this
 * connects the consumer and runs it again with `runConfig` (its subscription is kept) every
 * `rejoinDelayMs` until it succeeds; any other unrestarted crash goes to `onCrash`.
 *
 * Call it before the consumer's first `run` (it listens for GROUP_JOIN and CRASH); the caller
 * connects, subscribes and runs as usual.
 */
export function keepInGroup(
  consumer: Consumer,
  runConfig: ConsumerRunConfig,
  options: KeepInGroupOptions,
): GroupMembership {
  const { logger, groupId, onCrash } = options;
  const delayMs = options.rejoinDelayMs ?? 2_000;
  let active = true;
  let joined = false;
  let outReason: string | undefined;
  let timer: NodeJS.Timeout | undefined;

  const rejoin = (error: Error) => {
    logger.warn(
      { err: error, groupId, inMs: delayMs },
      'group consumer stopped while the broker was away; rejoining',
    );
    timer = setTimeout(() => {
      if (!active) return;
      consumer
        .connect()
        .then(() => consumer.run(runConfig))
        .then(
          () => logger.info({ groupId }, 'group consumer rejoined'),
          (again: Error) => {
            if (!active) return;
            outReason = again.message;
            if (isBrokerAway(again)) rejoin(again);
            else onCrash(again);
          },
        );
    }, delayMs);
  };

  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    outReason = undefined;
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    joined = false;
    outReason = payload.error.message;
    if (payload.restart || !active) return;
    if (isBrokerAway(payload.error)) rejoin(payload.error);
    else onCrash(payload.error);
  });

  return {
    groupId,
    get joined() {
      return joined;
    },
    get outReason() {
      return outReason;
    },
    stop() {
      active = false;
      clearTimeout(timer);
    },
  };
}
