import { loadSession } from './api.ts';
import type { Campaign } from './api-types.ts';

/** What a page does with the merchant's live events. */
export interface LiveHandlers {
  /** A campaign's figures or status changed; the full campaign as `GET /v1/campaigns/:id` sends it. */
  onCampaign(campaign: Campaign): void;
  /** The stream is back after a gap: events may have been missed, so re-read what the page shows. */
  onReconnect?(): void;
}

type LiveState = 'live' | 'connecting' | 'offline';

const labels: Record<LiveState, string> = { live: 'Live', connecting: 'Connecting…', offline: 'Offline' };

function showState(state: LiveState): void {
  const indicator = document.getElementById('live');
  if (indicator === null) return;
  // Hidden on pages without a stream: there it would only ever say "offline".
  indicator.hidden = false;
  if (indicator.dataset.state === state && indicator.textContent === labels[state]) return;
  indicator.dataset.state = state;
  indicator.textContent = labels[state];
  indicator.title =
    state === 'live' ? 'Figures update as they change' : 'Figures shown may be stale; reconnecting';
}

/**
 * Listens to `GET /v1/events` and drives the live indicator. EventSource reconnects by itself
 * after a dropped connection; when the server refuses the stream (a lapsed session answers 401,
 * which EventSource treats as final) the session is checked, which leaves for sign-in when it is
 * gone, and the stream is opened again with backoff.
 */
export function watchCampaigns(handlers: LiveHandlers): void {
  let source: EventSource | null = null;
  let retryMs = 1000;
  let gap = false;

  const connect = () => {
    showState('connecting');
    source = new EventSource('/v1/events');
    source.addEventListener('open', () => {
      showState('live');
      retryMs = 1000;
      if (gap) handlers.onReconnect?.();
      gap = false;
    });
    source.addEventListener('campaign', (event) => {
      let campaign: Campaign;
      try {
        campaign = JSON.parse((event as MessageEvent<string>).data) as Campaign;
      } catch {
        return;
      }
      handlers.onCampaign(campaign);
    });
    source.addEventListener('error', () => {
      gap = true;
      showState('offline');
      if (source?.readyState !== EventSource.CLOSED) return;
      source.close();
      const again = () => setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
      loadSession().then(again, again);
    });
  };

  connect();
  addEventListener('pagehide', () => source?.close());
}
