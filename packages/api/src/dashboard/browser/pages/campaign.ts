import uPlot from 'uplot';
import { ApiError, apiRequest } from '../api.ts';
import type { Campaign, HourlyReport, SendAccepted } from '../api-types.ts';
import { formatTtl } from '../durations.ts';
import { FIGURE_FIELDS, showFigure, showFigures } from '../figures.ts';
import { formatCount, formatDateTime, formatDay, statusBadge, timeElement } from '../format.ts';
import { watchCampaigns } from '../live.ts';
import { formatRevenue, minorToMajor } from '../money.ts';
import { notificationLogTable } from '../notification-log.ts';
import { showNotification } from '../notification-preview.ts';
import { byId, messageOf, showMessage, startPage } from '../page.ts';
import {
  fillHours,
  groupByLocalDay,
  type HourlyColumns,
  hourlyRange,
  offsetChangesWithin,
} from '../time-buckets.ts';

/**
 * One campaign: totals, content, send and cancel, its hours in the merchant's zone as two uPlot
 * charts (one chart object per panel) and a table with the same figures, and its notifications.
 */

const id = Number(location.pathname.split('/').at(-1));
const session = await startPage();
const timeZone = session.merchant.time_zone;

const errorBox = byId('campaign-error', HTMLElement);
const sendButton = byId('send-campaign', HTMLButtonElement);
const cancelButton = byId('cancel-campaign', HTMLButtonElement);
const hourlyTable = byId('hourly-table', HTMLTableElement);
const activityPanel = byId('activity-chart', HTMLElement);
const revenuePanel = byId('revenue-chart', HTMLElement);
const hoursEmpty = byId('hours-empty', HTMLElement);
byId('hourly-caption', HTMLElement).textContent = `Figures per hour with events, ${timeZone} time`;

let campaign: Campaign | null = null;

function showFacts(current: Campaign): void {
  const facts = byId('campaign-facts', HTMLElement);
  const entries: Array<[string, Node | string]> = [];
  const link = document.createElement('a');
  link.href = current.url;
  link.rel = 'noopener noreferrer';
  link.textContent = current.url;
  entries.push(['Link', link]);
  entries.push(['Urgency', current.urgency]);
  entries.push(['Kept for', formatTtl(current.ttl_seconds)]);
  const times: Array<[string, string | null]> = [
    ['Created', current.created_at],
    ['Send requested', current.send_requested_at],
    ['Sent', current.sent_at],
    ['Canceled', current.canceled_at],
  ];
  for (const [label, iso] of times) {
    if (iso !== null) entries.push([label, timeElement(iso, formatDateTime(iso, timeZone))]);
  }
  facts.replaceChildren(
    ...entries.map(([label, value]) => {
      const group = document.createElement('div');
      const term = document.createElement('dt');
      const detail = document.createElement('dd');
      term.textContent = label;
      detail.append(value);
      group.append(term, detail);
      return group;
    }),
  );
}

function showCampaign(current: Campaign): void {
  campaign = current;
  document.title = `${current.title} · Hoot`;
  byId('campaign-title', HTMLElement).textContent = current.title;
  const status = byId('campaign-status', HTMLElement);
  statusBadge(status, current.status);
  showFigures(document, current.report, current.report.currency);
  const updated = byId('report-updated', HTMLElement);
  updated.textContent =
    current.report.updated_at === null
      ? 'No figures yet.'
      : `Figures as of ${formatDateTime(current.report.updated_at, timeZone)}.`;
  sendButton.hidden = current.status !== 'draft';
  cancelButton.hidden = current.status !== 'draft' && current.status !== 'sending';
  showNotification(document.querySelector<HTMLElement>('.notification')!, current);
  showFacts(current);
}

// ---- hours: charts and table

/** Axis and legend times on the merchant's clock: uPlot draws a 23- or 25-hour day as it was. */
const zoned = (seconds: number) => uPlot.tzDate(new Date(seconds * 1e3), timeZone);
const countAxis = (_chart: uPlot, ticks: number[]) => ticks.map((tick) => formatCount(tick));

let activityChart: uPlot | null = null;
let revenueChart: uPlot | null = null;
/** The currency the revenue chart was built for: its first order gives a campaign one. */
let revenueCurrency: string | null = null;
let columns: HourlyColumns | null = null;

/**
 * The x scale of both charts: the hours shown (see hourlyRange), whatever uPlot would guess from
 * the data; read at every redraw, so a new hour widens it.
 */
const hourScale: uPlot.Scale = {
  time: true,
  range: (_chart, min, max) => {
    const range = columns === null ? null : hourlyRange(columns.time, timeZone);
    return range ?? [min, max];
  },
};

function chartWidth(panel: HTMLElement): number {
  return Math.max(280, Math.floor(panel.clientWidth));
}

function activityOptions(): uPlot.Options {
  return {
    width: chartWidth(activityPanel),
    height: 240,
    tzDate: zoned,
    scales: { x: hourScale },
    series: [
      {},
      { label: 'Sent', stroke: '#64748b', width: 1.5, value: (_u, v) => (v == null ? '–' : formatCount(v)) },
      {
        label: 'Impressions',
        stroke: '#2563eb',
        width: 2,
        value: (_u, v) => (v == null ? '–' : formatCount(v)),
      },
      { label: 'Clicks', stroke: '#db2777', width: 2, value: (_u, v) => (v == null ? '–' : formatCount(v)) },
    ],
    axes: [{}, { values: countAxis, size: 60 }],
  };
}

function revenueOptions(currency: string | null): uPlot.Options {
  const money = (minor: number) => formatRevenue(minor, currency);
  return {
    width: chartWidth(revenuePanel),
    height: 200,
    tzDate: zoned,
    scales: { x: hourScale },
    series: [
      {},
      {
        label: `Revenue${currency === null ? '' : ` (${currency})`}`,
        stroke: '#059669',
        fill: 'rgba(5, 150, 105, 0.15)',
        width: 2,
        // The legend reads the exact minor units of the hovered hour, not the chart's float.
        value: (_u, _v, _series, index) => {
          const minor = index == null ? undefined : columns?.revenueMinor[index];
          return minor === undefined ? '–' : money(minor);
        },
      },
    ],
    axes: [
      {},
      {
        size: 70,
        values: (_u, ticks) =>
          ticks.map((tick) =>
            currency === null
              ? formatCount(tick)
              : new Intl.NumberFormat(undefined, {
                  style: 'currency',
                  currency,
                  notation: 'compact',
                }).format(tick),
          ),
      },
    ],
  };
}

function showCharts(filled: HourlyColumns, currency: string | null): void {
  columns = filled;
  const activity: uPlot.AlignedData = [filled.time, filled.sent, filled.impressions, filled.clicks];
  const revenueMajor = filled.revenueMinor.map((minor) => minorToMajor(minor, currency));
  const revenue: uPlot.AlignedData = [filled.time, revenueMajor];
  if (activityChart === null) activityChart = new uPlot(activityOptions(), activity, activityPanel);
  else activityChart.setData(activity);
  if (revenueChart !== null && revenueCurrency !== currency) {
    revenueChart.destroy();
    revenueChart = null;
  }
  revenueCurrency = currency;
  if (revenueChart === null) revenueChart = new uPlot(revenueOptions(currency), revenue, revenuePanel);
  else revenueChart.setData(revenue);
}

new ResizeObserver(() => {
  activityChart?.setSize({ width: chartWidth(activityPanel), height: 240 });
  revenueChart?.setSize({ width: chartWidth(revenuePanel), height: 200 });
}).observe(activityPanel);

type Hour = HourlyReport['hours'][number];

function hourRow(hour: Hour, time: string, offset: string | null, currency: string | null) {
  const row = document.createElement('tr');
  row.dataset.hour = hour.hour;
  const header = document.createElement('th');
  header.scope = 'row';
  header.append(timeElement(hour.hour, time));
  if (offset !== null) {
    const zone = document.createElement('span');
    zone.className = 'offset';
    zone.textContent = ` ${offset}`;
    header.append(zone);
  }
  row.append(header);
  for (const field of FIGURE_FIELDS) {
    const cell = document.createElement('td');
    cell.className = 'num';
    cell.dataset.field = field;
    showFigure(cell, hour, field, currency);
    row.append(cell);
  }
  return row;
}

function showHourTable(hours: Hour[], currency: string | null): void {
  const days = groupByLocalDay(hours, (hour) => Date.parse(hour.hour), timeZone);
  const bodies = days.map((day) => {
    const body = document.createElement('tbody');
    body.dataset.day = day.date;
    const heading = document.createElement('tr');
    heading.className = 'day';
    const label = document.createElement('th');
    label.scope = 'rowgroup';
    label.colSpan = 7;
    label.textContent = formatDay(day.date);
    heading.append(label);
    // On the nights clocks change, a time alone skips or repeats: say which offset it was.
    const withOffset = offsetChangesWithin(day);
    body.append(
      heading,
      ...day.entries.map(({ item, local }) =>
        hourRow(item, local.time, withOffset ? local.offset : null, currency),
      ),
    );
    return body;
  });
  for (const body of hourlyTable.querySelectorAll('tbody')) body.remove();
  hourlyTable.append(...bodies);
}

async function loadHours(): Promise<void> {
  const report = await apiRequest<HourlyReport>('GET', `/v1/campaigns/${id}/report/hourly`);
  const current = campaign;
  if (current === null) return;
  const currency = current.report.currency;
  const empty = report.hours.length === 0;
  hoursEmpty.hidden = !empty;
  // Empty axes and an empty table say less than "no activity yet"; they appear with the first hour.
  for (const element of document.querySelectorAll<HTMLElement>('.chart-panel, .hours-table')) {
    element.hidden = empty;
  }
  if (empty) return;
  // While sending, the chart runs up to now: the quiet hours since the last event are zeros.
  const range = current.status === 'sending' && report.hours.length > 0 ? { to: Date.now() } : {};
  showCharts(fillHours(report.hours, range), currency);
  showHourTable(report.hours, currency);
}

let hoursInFlight = false;
let hoursAgain = false;

/**
 * Re-reads the hourly series after a change. Events can come many times a second: at most one
 * request is in flight, and changes during it cause exactly one more request after it.
 */
async function refreshHours(): Promise<void> {
  if (hoursInFlight) {
    hoursAgain = true;
    return;
  }
  hoursInFlight = true;
  try {
    do {
      hoursAgain = false;
      await loadHours();
    } while (hoursAgain);
  } catch (error) {
    showMessage(errorBox, messageOf(error));
  } finally {
    hoursInFlight = false;
  }
}

// ---- notifications: the campaign's log from the audit archive

const log = notificationLogTable({
  first: 'subscriber',
  timeZone,
  empty: 'No notification of this campaign in the archive yet.',
});
const DAY_MS = 86_400_000;

/** The campaign's notifications, from its send on: the api reads at most 31 days at once. */
function loadLog(): void {
  const start = campaign?.send_requested_at ?? null;
  if (start === null) {
    log.clear('Nothing sent yet.');
    return;
  }
  const from = Date.parse(start) - 60_000;
  void log.show({
    campaign_id: id,
    from: new Date(from).toISOString(),
    to: new Date(from + 31 * DAY_MS).toISOString(),
  });
}

byId('log-refresh', HTMLButtonElement).addEventListener('click', loadLog);

// ---- actions

async function act(action: 'send' | 'cancel', button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  showMessage(errorBox, null);
  try {
    const accepted = await apiRequest<SendAccepted>('POST', `/v1/campaigns/${id}/${action}`);
    showCampaign(accepted.campaign);
    void refreshHours();
    loadLog();
  } catch (error) {
    showMessage(errorBox, messageOf(error));
  } finally {
    button.disabled = false;
  }
}

sendButton.addEventListener('click', () => act('send', sendButton));
cancelButton.addEventListener('click', () => act('cancel', cancelButton));

// ---- start

async function loadCampaign(): Promise<boolean> {
  try {
    showCampaign(await apiRequest<Campaign>('GET', `/v1/campaigns/${id}`));
    showMessage(errorBox, null);
    return true;
  } catch (error) {
    const missing = error instanceof ApiError && (error.status === 404 || error.status === 403);
    showMessage(errorBox, missing ? 'There is no such campaign.' : messageOf(error));
    return false;
  }
}

if (await loadCampaign()) {
  void refreshHours();
  loadLog();
  watchCampaigns({
    onCampaign(changed) {
      if (changed.id !== id) return;
      showCampaign(changed);
      void refreshHours();
    },
    onReconnect: () => {
      void loadCampaign().then((found) => {
        if (found) void refreshHours();
      });
    },
  });
}
