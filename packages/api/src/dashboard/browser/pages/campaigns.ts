import { apiRequest } from '../api.ts';
import type { Campaign, CampaignList } from '../api-types.ts';
import { FIGURE_FIELDS, showFigure } from '../figures.ts';
import { formatCount, formatDateTime, statusBadge, timeElement } from '../format.ts';
import { watchCampaigns } from '../live.ts';
import { byId, messageOf, showMessage, startPage } from '../page.ts';

/**
 * The campaign list: one page of the server's sorted, filtered list at a time (a merchant may have
 * tens of thousands), its state in the address so reload, back and links keep it.
 */

const SORT_KEYS = ['created_at', 'sent', 'impressions', 'clicks', 'revenue'] as const;
type SortKey = (typeof SORT_KEYS)[number];
const STATUSES = ['draft', 'sending', 'sent', 'canceled'];
const PAGE_SIZES = [10, 20, 50, 100];
const SORT_NAMES: Record<SortKey, string> = {
  created_at: 'created',
  sent: 'sent',
  impressions: 'impressions',
  clicks: 'clicks',
  revenue: 'revenue',
};

interface ListState {
  sort: SortKey;
  order: 'asc' | 'desc';
  status: string;
  limit: number;
  offset: number;
}

function readState(query: URLSearchParams): ListState {
  const sort = query.get('sort') as SortKey | null;
  const limit = Number(query.get('limit'));
  const offset = Number(query.get('offset'));
  return {
    sort: sort !== null && SORT_KEYS.includes(sort) ? sort : 'created_at',
    order: query.get('order') === 'asc' ? 'asc' : 'desc',
    status: STATUSES.includes(query.get('status') ?? '') ? (query.get('status') ?? '') : '',
    limit: PAGE_SIZES.includes(limit) ? limit : 20,
    offset: Number.isSafeInteger(offset) && offset > 0 ? offset : 0,
  };
}

function queryOf(state: ListState): URLSearchParams {
  const query = new URLSearchParams({
    sort: state.sort,
    order: state.order,
    limit: String(state.limit),
    offset: String(state.offset),
  });
  if (state.status !== '') query.set('status', state.status);
  return query;
}

const session = await startPage();
const timeZone = session.merchant.time_zone;
const rows = byId('campaign-rows', HTMLTableSectionElement);
const caption = byId('campaigns-caption', HTMLElement);
const listError = byId('list-error', HTMLElement);
const pageStatus = byId('page-status', HTMLElement);
const previous = byId('previous-page', HTMLButtonElement);
const next = byId('next-page', HTMLButtonElement);
const statusFilter = byId('status-filter', HTMLSelectElement);
const pageSize = byId('page-size', HTMLSelectElement);
const sortHeaders = document.querySelectorAll<HTMLTableCellElement>('th[data-sort]');

let state = readState(new URLSearchParams(location.search));
let nextOffset: number | null = null;
let loading: AbortController | null = null;
/** The read of the list under way, whoever started it. */
let reading: Promise<void> | null = null;

/** Writes a campaign's cells; used for new rows and for live updates of rows already shown. */
function fillRow(row: HTMLTableRowElement, campaign: Campaign): void {
  const cell = (field: string) => row.querySelector<HTMLTableCellElement>(`[data-field="${field}"]`)!;
  const link = cell('title').querySelector('a')!;
  link.textContent = campaign.title;
  cell('status').dataset.value = campaign.status;
  statusBadge(cell('status').querySelector('span')!, campaign.status);
  for (const field of FIGURE_FIELDS)
    showFigure(cell(field), campaign.report, field, campaign.report.currency);
}

function newRow(campaign: Campaign): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.dataset.campaignId = String(campaign.id);
  const add = (field: string, numeric = false) => {
    const cell = document.createElement('td');
    cell.dataset.field = field;
    if (numeric) cell.className = 'num';
    row.append(cell);
    return cell;
  };
  const link = document.createElement('a');
  link.href = `/dashboard/campaigns/${campaign.id}`;
  add('title').append(link);
  add('status').append(document.createElement('span'));
  for (const field of FIGURE_FIELDS) add(field, true);
  const created = add('created_at');
  created.dataset.value = campaign.created_at;
  created.append(timeElement(campaign.created_at, formatDateTime(campaign.created_at, timeZone)));
  fillRow(row, campaign);
  return row;
}

function showSort(): void {
  for (const header of sortHeaders) {
    if (header.dataset.sort === state.sort) {
      header.setAttribute('aria-sort', state.order === 'asc' ? 'ascending' : 'descending');
    } else {
      header.removeAttribute('aria-sort');
    }
  }
  const filter = state.status === '' ? '' : `, ${state.status} only`;
  caption.textContent = `Campaigns by ${SORT_NAMES[state.sort]}, ${
    state.order === 'asc' ? 'ascending' : 'descending'
  }${filter}`;
  statusFilter.value = state.status;
  pageSize.value = String(state.limit);
}

function showEmpty(message: string): void {
  const row = document.createElement('tr');
  const cell = document.createElement('td');
  cell.colSpan = 9;
  cell.className = 'empty';
  cell.textContent = message;
  row.append(cell);
  rows.replaceChildren(row);
}

function load(): Promise<void> {
  const read = readList().finally(() => {
    if (reading === read) reading = null;
  });
  reading = read;
  return read;
}

async function readList(): Promise<void> {
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  showSort();
  rows.setAttribute('aria-busy', 'true');
  let list: CampaignList;
  try {
    list = await apiRequest<CampaignList>('GET', `/v1/campaigns?${queryOf(state)}`, {
      signal: controller.signal,
    });
  } catch (error) {
    if (controller.signal.aborted) return;
    showMessage(listError, messageOf(error));
    rows.setAttribute('aria-busy', 'false');
    return;
  }
  if (controller.signal.aborted) return;
  showMessage(listError, null);
  if (list.campaigns.length === 0 && list.total > 0 && state.offset > 0) {
    // Past the end (campaigns went away, or an old link): show the last page instead.
    navigate({ offset: Math.floor((list.total - 1) / state.limit) * state.limit }, false);
    return;
  }
  if (list.campaigns.length === 0) {
    showEmpty(state.status === '' ? 'No campaigns yet.' : `No ${state.status} campaigns.`);
  } else {
    rows.replaceChildren(...list.campaigns.map(newRow));
  }
  rows.setAttribute('aria-busy', 'false');
  nextOffset = list.next_offset;
  previous.disabled = state.offset === 0;
  next.disabled = nextOffset === null;
  pageStatus.textContent =
    list.total === 0
      ? 'No campaigns'
      : `${formatCount(list.offset + 1)}–${formatCount(list.offset + list.campaigns.length)} of ${formatCount(list.total)}`;
}

function navigate(change: Partial<ListState>, remember = true): void {
  state = { ...state, ...change };
  const url = `${location.pathname}?${queryOf(state)}`;
  if (remember) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  void load();
}

for (const header of sortHeaders) {
  header.querySelector('button')?.addEventListener('click', () => {
    const key = header.dataset.sort as SortKey;
    // Figures read best largest first; a second press turns the order around.
    const order = key === state.sort && state.order === 'desc' ? 'asc' : 'desc';
    navigate({ sort: key, order, offset: 0 });
  });
}
statusFilter.addEventListener('change', () => navigate({ status: statusFilter.value, offset: 0 }));
pageSize.addEventListener('change', () => navigate({ limit: Number(pageSize.value), offset: 0 }));
byId('list-controls', HTMLFormElement).addEventListener('submit', (event) => event.preventDefault());
previous.addEventListener('click', () => navigate({ offset: Math.max(0, state.offset - state.limit) }));
next.addEventListener('click', () => {
  if (nextOffset !== null) navigate({ offset: nextOffset });
});
addEventListener('popstate', () => {
  state = readState(new URLSearchParams(location.search));
  void load();
});

/** The least time between two reads of the list caused by events. */
const REREAD_MS = 1000;
let rereadWanted = false;
let lastReread = 0;

/** Resolves once no read of the list is under way. */
async function readsDone(): Promise<void> {
  while (reading !== null) await reading.catch(() => {});
}

/**
 * Reads the current page again after an event for a campaign it does not show (a new one belongs
 * at the top of the newest-first list). Events come many times a second: this waits for a read
 * under way, reads at most once a second, and any number of events meanwhile cause one read.
 */
function rereadSoon(): void {
  if (rereadWanted) return;
  rereadWanted = true;
  void (async () => {
    try {
      await readsDone();
      const wait = lastReread + REREAD_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await readsDone();
    } finally {
      rereadWanted = false;
    }
    lastReread = Date.now();
    await load();
  })();
}

watchCampaigns({
  onCampaign(campaign) {
    // Rows change in place and keep their position: a list that reorders under the pointer
    // loses the merchant's place.
    const row = rows.querySelector<HTMLTableRowElement>(`tr[data-campaign-id="${campaign.id}"]`);
    if (row !== null) {
      fillRow(row, campaign);
      return;
    }
    // Not on this page: a new campaign, or one that moved. A campaign the filter leaves out
    // changes nothing here.
    if (state.status !== '' && campaign.status !== state.status) return;
    rereadSoon();
  },
  onReconnect: () => void load(),
});

void load();
