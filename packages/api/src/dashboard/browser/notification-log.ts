import { ApiError, apiRequest } from './api.ts';
import type { NotificationLog, NotificationLogEntry } from './api-types.ts';
import { formatCount, formatDateTime, statusBadge, timeElement } from './format.ts';
import { byId, messageOf, showMessage } from './page.ts';

/** Notifications per page of the table; "Show more" adds the next page. */
const PAGE_SIZE = 20;

/** What to look up: the api's query parameters (the merchant is the signed-in one). */
export interface LogQuery {
  subscriber_id?: number;
  campaign_id?: number;
  from?: string;
  to?: string;
}

export interface NotificationLogTable {
  /**
   * Shows the first page for the query, replacing what was shown. A refusal naming a field
   * (`querystring.subscriber_id`) is thrown for the page's form; any other failure is shown
   * above the table.
   */
  show(query: LogQuery): Promise<void>;
  /** Shows `text` instead of notifications, asking nothing (a draft has none). */
  clear(text: string): void;
}

/**
 * The notification log's table of the page's shell (`#notification-log` with `#log-rows`,
 * `#log-status`, `#log-more`, `#log-error`). The first column names the subscriber (a campaign's
 * log, linking to that subscriber's log) or the campaign (a subscriber's log, linking to it).
 */
export function notificationLogTable(options: {
  first: 'subscriber' | 'campaign';
  timeZone: string;
  /** Said in the table when there is no notification. */
  empty: string;
}): NotificationLogTable {
  const rows = byId('log-rows', HTMLTableSectionElement);
  const status = byId('log-status', HTMLElement);
  const more = byId('log-more', HTMLButtonElement);
  const errorBox = byId('log-error', HTMLElement);
  let query: LogQuery = {};
  let next: string | null = null;
  let shown = 0;
  /** Bumped by each show(): the answer of an older one is dropped. */
  let generation = 0;

  const fetchPage = (cursor: string | null) => {
    const parameters = new URLSearchParams({ limit: String(PAGE_SIZE) });
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) parameters.set(name, String(value));
    }
    if (cursor !== null) parameters.set('cursor', cursor);
    return apiRequest<NotificationLog>('GET', `/v1/notifications?${parameters}`);
  };

  const showStatus = () => {
    status.textContent =
      shown === 0
        ? ''
        : `${formatCount(shown)} notification${shown === 1 ? '' : 's'}${next === null ? '' : ', more to show'}`;
    more.hidden = next === null;
  };

  const fail = (error: unknown) => {
    // The archive is an operator's matter; the merchant only needs to know to come back.
    const message =
      error instanceof ApiError && error.status === 503
        ? 'The notification log is not available right now. Try again in a moment.'
        : messageOf(error);
    showMessage(errorBox, message);
  };

  more.addEventListener('click', async () => {
    const mine = generation;
    more.disabled = true;
    try {
      const page = await fetchPage(next);
      if (mine !== generation) return;
      rows.append(...page.notifications.map((entry) => logRow(entry, options.first, options.timeZone)));
      shown += page.notifications.length;
      next = page.next;
      showStatus();
    } catch (error) {
      if (mine === generation) fail(error);
    } finally {
      more.disabled = false;
    }
  });

  return {
    clear(text) {
      generation++;
      next = null;
      shown = 0;
      showMessage(errorBox, null);
      rows.removeAttribute('aria-busy');
      rows.replaceChildren(emptyRow(text));
      showStatus();
    },

    async show(wanted) {
      const mine = ++generation;
      query = wanted;
      showMessage(errorBox, null);
      rows.setAttribute('aria-busy', 'true');
      try {
        const page = await fetchPage(null);
        if (mine !== generation) return;
        next = page.next;
        shown = page.notifications.length;
        rows.replaceChildren(
          ...(shown === 0
            ? [emptyRow(options.empty)]
            : page.notifications.map((entry) => logRow(entry, options.first, options.timeZone))),
        );
        showStatus();
      } catch (error) {
        if (mine !== generation) return;
        if (error instanceof ApiError && error.status === 400 && error.field?.startsWith('querystring.')) {
          throw error;
        }
        fail(error);
      } finally {
        if (mine === generation) rows.removeAttribute('aria-busy');
      }
    },
  };
}

function emptyRow(text: string): HTMLTableRowElement {
  const row = document.createElement('tr');
  const cell = document.createElement('td');
  cell.colSpan = 5;
  cell.className = 'empty';
  cell.textContent = text;
  row.append(cell);
  return row;
}

function cell(field: string, ...content: Array<Node | string>): HTMLTableCellElement {
  const element = document.createElement('td');
  element.dataset.field = field;
  element.append(...content);
  return element;
}

function link(href: string, text: string): HTMLAnchorElement {
  const anchor = document.createElement('a');
  anchor.href = href;
  anchor.textContent = text;
  return anchor;
}

function detail(text: string): HTMLElement {
  const span = document.createElement('span');
  span.className = 'detail';
  span.textContent = text;
  return span;
}

/** A time the browser reported, or a dash that reads "not reported" to a screen reader. */
function reported(field: string, iso: string | null, timeZone: string): HTMLTableCellElement {
  if (iso !== null) return cell(field, timeElement(iso, formatDateTime(iso, timeZone)));
  const dash = document.createElement('span');
  dash.setAttribute('aria-hidden', 'true');
  dash.textContent = '–';
  const words = document.createElement('span');
  words.className = 'visually-hidden';
  words.textContent = 'not reported';
  return cell(field, dash, words);
}

function logRow(
  entry: NotificationLogEntry,
  first: 'subscriber' | 'campaign',
  timeZone: string,
): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.dataset.notificationId = entry.notification_id;
  row.dataset.subscriberId = String(entry.subscriber_id);
  row.dataset.campaignId = String(entry.campaign_id);
  const head = document.createElement('th');
  head.scope = 'row';
  if (first === 'subscriber') {
    head.dataset.field = 'subscriber';
    head.append(
      link(`/dashboard/notifications?subscriber_id=${entry.subscriber_id}`, String(entry.subscriber_id)),
    );
  } else {
    head.dataset.field = 'campaign';
    head.append(
      link(`/dashboard/campaigns/${entry.campaign_id}`, entry.title),
      detail(`Campaign ${entry.campaign_id}`),
    );
  }
  const badge = document.createElement('span');
  statusBadge(badge, entry.outcome);
  const outcome = cell('outcome', badge);
  // Why it was not sent: the push service's status and the dispatcher's reason.
  const why = [entry.status_code === null ? null : `HTTP ${entry.status_code}`, entry.error].filter(
    (part) => part !== null,
  );
  if (entry.outcome !== 'sent' && why.length > 0) outcome.append(detail(why.join(' · ')));
  row.append(
    head,
    outcome,
    cell('at', timeElement(entry.at, formatDateTime(entry.at, timeZone))),
    reported('delivered', entry.delivered_at, timeZone),
    reported('clicked', entry.clicked_at, timeZone),
  );
  return row;
}
