import { loadSession } from './api.ts';
import type { Campaign } from './api-types.ts';

/** What a page does with the merchant's live events. */
export interface LiveHandlers {
  /** A campaign's figures or status changed; the full campaign as `GET /v1/campaigns/:id` sends it. */
  onCampaign(campaign: Campaign): void;
  /** Events may have been missed (a reconnection, a `resync`, a new leader tab): re-read what the page shows. */
  onReconnect?(): void;
}

type LiveState = 'live' | 'connecting' | 'offline';

/** What the tab holding the stream tells the other tabs of the browser, over the channel. */
type Relayed =
  | { kind: 'campaign'; data: string }
  | { kind: 'state'; state: LiveState }
  | { kind: 'reconnect' }
  /** A tab that just opened asks for the current state. */
  | { kind: 'hello' };

/** The name of both the Web Lock that elects the leader tab and the BroadcastChannel it relays on. */
export const LIVE_CHANNEL = 'hoot-live';

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

function deliverCampaign(handlers: LiveHandlers, data: string): void {
  let campaign: Campaign;
  try {
    campaign = JSON.parse(data) as Campaign;
  } catch {
    return;
  }
  handlers.onCampaign(campaign);
}

/** Where a stream's news goes: this tab only, or this tab and the others over the channel. */
interface StreamSink {
  campaign(data: string): void;
  state(state: LiveState): void;
  reconnect(): void;
}

/**
 * Opens `GET /v1/events` and keeps it open for the life of the tab. EventSource reconnects by
 * itself after a dropped connection; when the server refuses the stream (a lapsed session answers
 * 401, which EventSource treats as final) the session is checked, which leaves for sign-in when it
 * is gone, and the stream is opened again with backoff. `gap` says events may already have been
 * missed before the first connection (another tab held the stream until now).
 */
function openStream(sink: StreamSink, gap: boolean): void {
  let source: EventSource | null = null;
  let retryMs = 1000;
  let missed = gap;

  const connect = () => {
    sink.state('connecting');
    source = new EventSource('/v1/events');
    source.addEventListener('open', () => {
      sink.state('live');
      retryMs = 1000;
    });
    // `ready` opens every connection: after a gap, whatever changed meanwhile must be read afresh.
    source.addEventListener('ready', () => {
      if (missed) sink.reconnect();
      missed = false;
    });
    source.addEventListener('resync', () => sink.reconnect());
    source.addEventListener('campaign', (event) => sink.campaign((event as MessageEvent<string>).data));
    source.addEventListener('error', () => {
      missed = true;
      sink.state('offline');
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

/**
 * Listens to the merchant's live events and drives the live indicator. All tabs of a browser share
 * one stream (a browser allows six HTTP/1.1 connections per host, and a stream per tab would
 * starve the seventh tab and every fetch): the tab holding the Web Lock `hoot-live` for its life
 * opens `GET /v1/events` and relays events, its live state and "read afresh" over the
 * BroadcastChannel `hoot-live`; when it closes, another tab gets the lock and opens the stream,
 * and every tab reads afresh. Without Web Locks or BroadcastChannel (an insecure context, an old
 * browser) each tab opens its own stream.
 */
export function watchCampaigns(handlers: LiveHandlers): void {
  const local: StreamSink = {
    campaign: (data) => deliverCampaign(handlers, data),
    state: showState,
    reconnect: () => handlers.onReconnect?.(),
  };
  if (typeof BroadcastChannel === 'undefined' || navigator.locks === undefined) {
    openStream(local, false);
    return;
  }

  const channel = new BroadcastChannel(LIVE_CHANNEL);
  const post = (message: Relayed) => channel.postMessage(message);
  let leading = false;
  let leaderState: LiveState = 'connecting';
  /** Another tab held the stream at some time: taking it over, this tab may have missed events. */
  let followed = false;

  channel.addEventListener('message', (event: MessageEvent<Relayed>) => {
    const message = event.data;
    if (leading) {
      // A tab that opened meanwhile asks how the stream is; only the leader answers.
      if (message.kind === 'hello') post({ kind: 'state', state: leaderState });
      return;
    }
    if (message.kind !== 'hello') followed = true;
    if (message.kind === 'campaign') local.campaign(message.data);
    else if (message.kind === 'state') showState(message.state);
    else if (message.kind === 'reconnect') local.reconnect();
  });

  showState('connecting');
  post({ kind: 'hello' });

  // Granted to one tab at a time and held until that tab goes away (the promise never settles).
  void navigator.locks.request(LIVE_CHANNEL, () => {
    leading = true;
    const shared: StreamSink = {
      campaign(data) {
        post({ kind: 'campaign', data });
        local.campaign(data);
      },
      state(state) {
        leaderState = state;
        post({ kind: 'state', state });
        showState(state);
      },
      reconnect() {
        post({ kind: 'reconnect' });
        local.reconnect();
      },
    };
    openStream(shared, followed);
    return new Promise<never>(() => {});
  });
}
