import type { Logger } from 'pino';
import { postWithRetry } from '../http/post-with-retry.ts';
import type { SimulatorMetrics } from '../metrics.ts';

/** What the demo sends, in turn. */
const DEMO_CAMPAIGNS = [
  {
    title: 'Spring sale: 20 % off',
    body: 'Everything in the shop, until Sunday.',
    url: 'https://demo.hoot.example/sale',
  },
  { title: 'New arrivals', body: 'The autumn collection is here.', url: 'https://demo.hoot.example/new' },
  {
    title: 'Free shipping today',
    body: 'On every order, no minimum.',
    url: 'https://demo.hoot.example/shipping',
  },
  {
    title: 'Back in stock',
    body: 'The linen shirt you looked at is back.',
    url: 'https://demo.hoot.example/shirt',
  },
  { title: 'Last chance', body: 'The sale ends tonight at midnight.', url: 'https://demo.hoot.example/sale' },
] as const;

/** The api answers within a few seconds; a restarting api within a minute. */
const REQUEST_BUDGET_MS = 60_000;

export interface DemoCampaignsOptions {
  apiUrl: string;
  apiKey: string;
  intervalMs: number;
  metrics: SimulatorMetrics;
  logger: Logger;
}

/** The `n`-th demo campaign's draft (title, body, URL), cycling through a few. */
export function demoCampaign(n: number): { title: string; body: string; url: string } {
  const campaign = DEMO_CAMPAIGNS[n % DEMO_CAMPAIGNS.length]!;
  return { ...campaign, title: `${campaign.title} (#${n + 1})` };
}

/**
 * Plays the merchant: creates a campaign (`POST /v1/campaigns`) and sends it (`POST
 * /v1/campaigns/:id/send`) with the merchant's API key, at once and then every `intervalMs`,
 * so a local run always has a campaign in flight. Failures are logged and counted; the next
 * campaign comes on time regardless.
 */
export function startDemoCampaigns(options: DemoCampaignsOptions) {
  const { logger, metrics } = options;
  const stopping = new AbortController();
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };
  let sent = 0;
  let current: Promise<void> = Promise.resolve();

  async function sendOne(n: number): Promise<void> {
    const draft = demoCampaign(n);
    const created = await postWithRetry(`${options.apiUrl}/v1/campaigns`, {
      headers,
      body: JSON.stringify({ ...draft, ttl_seconds: 3600, urgency: 'normal' }),
      budgetMs: REQUEST_BUDGET_MS,
      signal: stopping.signal,
    });
    if (created.kind !== 'accepted') {
      metrics.campaigns.inc({ outcome: `create_${created.kind}` });
      if (created.kind !== 'stopped') logger.error({ outcome: created }, 'could not create a demo campaign');
      return;
    }
    const id = (created.body as { id: number }).id;
    // The send is not idempotent: a retried send of a campaign already sending is answered 409.
    const send = await postWithRetry(`${options.apiUrl}/v1/campaigns/${id}/send`, {
      headers,
      body: '{}',
      budgetMs: REQUEST_BUDGET_MS,
      signal: stopping.signal,
    });
    const outcome =
      send.kind === 'accepted' || (send.kind === 'refused' && send.status === 409) ? 'sent' : send.kind;
    metrics.campaigns.inc({ outcome });
    if (outcome === 'sent') {
      sent++;
      logger.info({ campaign: id, title: draft.title }, 'demo campaign sent');
    } else if (outcome !== 'stopped') {
      logger.error({ campaign: id, outcome: send }, 'could not send a demo campaign');
    }
  }

  let n = 0;
  const tick = () => {
    current = sendOne(n++).catch((error: unknown) => logger.error({ err: error }, 'demo campaign failed'));
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  return {
    sent: () => sent,
    async stop(): Promise<void> {
      clearInterval(timer);
      stopping.abort();
      await current;
    },
  };
}
