import type { ServerResponse } from 'node:http';
import type pg from 'pg';
import type { Gauge } from 'prom-client';
import { type CampaignView, findMerchantCampaigns } from '../campaigns/campaign-store.ts';

/** What the announcer says changed: one merchant's campaigns, by id. */
export interface CampaignChange {
  merchant: string;
  campaigns: number[];
}

/** Server-sent events (WHATWG HTML, "Server-sent events") written to an open page. */
export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The open dashboard pages, by merchant, and what they are told. A change announced for a
 * merchant with open pages is read from Postgres once, whatever the number of pages, and each
 * page gets one `campaign` event per changed campaign (the Campaign JSON of GET /v1/campaigns/:id).
 * Announcements arriving while that read runs are merged into the next read, so a busy sink costs
 * one query per merchant at a time. Pages of other merchants never see the event.
 */
export class CampaignEventHub {
  readonly #pool: pg.Pool;
  readonly #connections: Gauge;
  readonly #pages = new Map<string, Set<ServerResponse>>();
  readonly #pending = new Map<string, Set<number>>();
  readonly #reading = new Set<string>();
  readonly #onError: (error: unknown) => void;
  readonly #keepalive: NodeJS.Timeout;

  constructor(options: {
    pool: pg.Pool;
    connections: Gauge;
    keepaliveMs: number;
    onError: (error: unknown) => void;
  }) {
    this.#pool = options.pool;
    this.#connections = options.connections;
    this.#onError = options.onError;
    // A comment line keeps idle streams open through proxies that close silent connections.
    this.#keepalive = setInterval(() => this.#broadcast(': keepalive\n\n'), options.keepaliveMs).unref();
  }

  /** Adds an open page; the returned function removes it. */
  open(merchantId: string, page: ServerResponse): () => void {
    let pages = this.#pages.get(merchantId);
    if (pages === undefined) {
      pages = new Set();
      this.#pages.set(merchantId, pages);
    }
    pages.add(page);
    this.#connections.inc();
    return () => {
      if (!pages.delete(page)) return;
      this.#connections.dec();
      if (pages.size === 0) this.#pages.delete(merchantId);
    };
  }

  /** Reads the changed campaigns once and sends them to the merchant's open pages. */
  announce(change: CampaignChange): void {
    if (!this.#pages.has(change.merchant)) return;
    let pending = this.#pending.get(change.merchant);
    if (pending === undefined) {
      pending = new Set();
      this.#pending.set(change.merchant, pending);
    }
    for (const id of change.campaigns) pending.add(id);
    if (!this.#reading.has(change.merchant)) void this.#drain(change.merchant);
  }

  /** Tells every page it may have missed changes (the announcements were interrupted). */
  resync(): void {
    this.#broadcast(sseMessage('resync', {}));
  }

  /** Ends every stream, so the server can close. */
  close(): void {
    clearInterval(this.#keepalive);
    for (const pages of this.#pages.values()) for (const page of pages) page.end();
    this.#pages.clear();
  }

  async #drain(merchantId: string): Promise<void> {
    this.#reading.add(merchantId);
    try {
      for (;;) {
        const ids = this.#pending.get(merchantId);
        if (ids === undefined || ids.size === 0) return;
        this.#pending.delete(merchantId);
        const campaigns = await findMerchantCampaigns(this.#pool, merchantId, [...ids]);
        this.#send(merchantId, campaigns);
      }
    } catch (error) {
      this.#pending.delete(merchantId);
      this.#onError(error);
      for (const page of this.#pages.get(merchantId) ?? []) page.write(sseMessage('resync', {}));
    } finally {
      this.#reading.delete(merchantId);
    }
  }

  #send(merchantId: string, campaigns: CampaignView[]): void {
    if (campaigns.length === 0) return;
    const text = campaigns.map((campaign) => sseMessage('campaign', campaign)).join('');
    for (const page of this.#pages.get(merchantId) ?? []) page.write(text);
  }

  #broadcast(text: string): void {
    for (const pages of this.#pages.values()) for (const page of pages) page.write(text);
  }
}
