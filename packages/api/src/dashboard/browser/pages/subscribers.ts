import uPlot from 'uplot';
import { apiRequest } from '../api.ts';
import type { GrowthDay, SubscriberStats } from '../api-types.ts';
import { formatCount, formatDay } from '../format.ts';
import { byId, messageOf, showMessage, startPage } from '../page.ts';
import { dayToUtcMs, fillDays } from '../time-buckets.ts';

/** Subscribers: totals, growth per day in the merchant's zone, and the split by push service. */

await startPage();
const DAYS = 30;

function numberCell(value: number, field: string): HTMLTableCellElement {
  const cell = document.createElement('td');
  cell.className = 'num';
  cell.dataset.field = field;
  cell.dataset.value = String(value);
  cell.textContent = formatCount(value);
  return cell;
}

function headerCell(text: string): HTMLTableCellElement {
  const cell = document.createElement('th');
  cell.scope = 'row';
  cell.textContent = text;
  return cell;
}

function showTotals(stats: SubscriberStats): void {
  for (const field of ['total', 'sendable', 'expired', 'unsubscribed'] as const) {
    const element = document.querySelector<HTMLElement>(`[data-testid="subscribers-${field}"]`);
    if (element === null) continue;
    element.dataset.value = String(stats[field]);
    element.textContent = formatCount(stats[field]);
  }
}

function showGrowth(days: GrowthDay[]): void {
  const time = Float64Array.from(days, (day) => dayToUtcMs(day.day) / 1000);
  const data: uPlot.AlignedData = [
    time,
    Float64Array.from(days, (day) => day.subscribed),
    Float64Array.from(days, (day) => day.expired),
    Float64Array.from(days, (day) => day.unsubscribed),
  ];
  const panel = byId('growth-chart', HTMLElement);
  const count = (_u: uPlot, v: number | null) => (v == null ? '–' : formatCount(v));
  const chart = new uPlot(
    {
      width: Math.max(280, panel.clientWidth),
      height: 220,
      // Days are calendar days of the merchant's zone, labelled at UTC midnight: read them in UTC.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1e3), 'UTC'),
      scales: { x: { time: true } },
      series: [
        {
          value: (_u, seconds) =>
            seconds == null ? '–' : formatDay(new Date(seconds * 1e3).toISOString().slice(0, 10)),
        },
        { label: 'Subscribed', stroke: '#059669', width: 2, value: count, points: { show: true } },
        { label: 'Expired', stroke: '#d97706', width: 2, value: count, points: { show: true } },
        { label: 'Unsubscribed', stroke: '#64748b', width: 2, value: count, points: { show: true } },
      ],
      axes: [{}, { values: (_u, ticks) => ticks.map((tick) => formatCount(tick)) }],
    },
    data,
    panel,
  );
  new ResizeObserver(() => chart.setSize({ width: Math.max(280, panel.clientWidth), height: 220 })).observe(
    panel,
  );

  const body = document.querySelector<HTMLTableSectionElement>('#growth-table tbody')!;
  body.replaceChildren(
    ...days.map((day) => {
      const row = document.createElement('tr');
      row.dataset.day = day.day;
      row.append(
        headerCell(formatDay(day.day)),
        numberCell(day.subscribed, 'subscribed'),
        numberCell(day.expired, 'expired'),
        numberCell(day.unsubscribed, 'unsubscribed'),
      );
      return row;
    }),
  );
}

function showPushServices(stats: SubscriberStats): void {
  const body = document.querySelector<HTMLTableSectionElement>('#push-services tbody')!;
  if (stats.by_push_service.length === 0) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    cell.colSpan = 4;
    cell.className = 'empty';
    cell.textContent = 'No subscribers yet.';
    row.append(cell);
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(
    ...stats.by_push_service.map((service) => {
      const row = document.createElement('tr');
      row.dataset.pushService = service.push_service;
      row.append(
        headerCell(service.push_service),
        numberCell(service.total, 'total'),
        numberCell(service.sendable, 'sendable'),
        numberCell(service.expired, 'expired'),
      );
      return row;
    }),
  );
}

try {
  const stats = await apiRequest<SubscriberStats>('GET', `/v1/subscribers/stats?days=${DAYS}`);
  showTotals(stats);
  showGrowth(fillDays(stats.growth, (day) => ({ day, subscribed: 0, expired: 0, unsubscribed: 0 })));
  showPushServices(stats);
} catch (error) {
  showMessage(byId('stats-error', HTMLElement), messageOf(error));
}
