import pg from 'pg';
import type { Logger } from 'pino';
import type { CampaignChange } from './campaign-event-hub.ts';

/** The channel Postgres' triggers announce changed campaigns on (migration 1764500000000). */
export const CAMPAIGN_CHANGES_CHANNEL = 'campaign_changes';

export interface CampaignChangeListenerOptions {
  connectionString: string;
  logger: Logger;
  onChange: (change: CampaignChange) => void;
  /** Called after a reconnection: announcements made while disconnected were lost. */
  onResync: () => void;
  /** Longest wait between two connection attempts. */
  maxBackoffMs?: number;
}

/** A `campaign_changes` payload, or undefined for anything else. */
export function parseCampaignChange(payload: string | undefined): CampaignChange | undefined {
  try {
    const value = JSON.parse(payload ?? '') as { merchant?: unknown; campaigns?: unknown };
    if (typeof value.merchant !== 'string' || !Array.isArray(value.campaigns)) return undefined;
    const campaigns = value.campaigns.filter((id): id is number => Number.isSafeInteger(id));
    return { merchant: value.merchant, campaigns };
  } catch {
    return undefined;
  }
}

/**
 * Holds one Postgres connection (outside the pool) that LISTENs to `campaign_changes`, where the
 * report tables' and campaigns' triggers announce changes as their transactions commit. A lost
 * connection is re-established with backoff; since NOTIFY is not stored, each reconnection is
 * reported through onResync so open pages read afresh.
 */
export class CampaignChangeListener {
  readonly #options: CampaignChangeListenerOptions;
  #client: pg.Client | undefined;
  #stopped = false;
  #connected = false;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: CampaignChangeListenerOptions) {
    this.#options = options;
  }

  /** True while announcements arrive. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Connects in the background; never throws. */
  start(): void {
    void this.#connect(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(attempt: number): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client({ connectionString: this.#options.connectionString });
    const lost = (error?: Error) => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#connected = false;
      if (this.#stopped) return;
      this.#options.logger.warn({ err: error }, 'campaign change announcements lost; reconnecting');
      client.end().catch(() => {});
      this.#scheduleRetry(0);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel !== CAMPAIGN_CHANGES_CHANNEL) return;
      const change = parseCampaignChange(message.payload);
      if (change !== undefined) this.#options.onChange(change);
    });
    this.#client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CAMPAIGN_CHANGES_CHANNEL}`);
      if (this.#stopped) return void (await client.end());
      this.#connected = true;
      if (attempt > 0) this.#options.logger.info('campaign change announcements resumed');
      this.#options.onResync();
    } catch (error) {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => {});
      if (attempt === 0) this.#options.logger.warn({ err: error }, 'cannot listen to campaign changes yet');
      this.#scheduleRetry(attempt + 1);
    }
  }

  #scheduleRetry(attempt: number): void {
    if (this.#stopped) return;
    const delay = Math.min(this.#options.maxBackoffMs ?? 5000, 100 * 2 ** Math.min(attempt, 10));
    this.#retryTimer = setTimeout(() => void this.#connect(attempt + 1), delay);
    this.#retryTimer.unref();
  }
}
