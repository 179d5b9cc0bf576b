/** How figures and times read on every page, in the reader's locale. */

const counts = new Intl.NumberFormat();
const percents = new Intl.NumberFormat(undefined, {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** A count: 12,345. */
export function formatCount(value: number): string {
  return counts.format(value);
}

/** A ratio as a percentage: 0.0342 → 3.4%. */
export function formatPercent(ratio: number): string {
  return percents.format(ratio);
}

const dateTimes = new Map<string, Intl.DateTimeFormat>();

/** An instant on the merchant's clock: "12 Mar 2025, 14:05". */
export function formatDateTime(iso: string, timeZone: string): string {
  let format = dateTimes.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone });
    dateTimes.set(timeZone, format);
  }
  return format.format(new Date(iso));
}

const dayLabels = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** A calendar day `YYYY-MM-DD` as words: "Sun, 30 Mar 2025". The day is a label, read in UTC. */
export function formatDay(day: string): string {
  return dayLabels.format(new Date(`${day}T00:00:00Z`));
}

/** A `<time>` element showing `text` for the instant `iso`. */
export function timeElement(iso: string, text: string): HTMLTimeElement {
  const time = document.createElement('time');
  time.dateTime = iso;
  time.textContent = text;
  return time;
}

/** A campaign status as a badge: `<span class="status" data-status="sent">Sent</span>`. */
export function statusBadge(element: HTMLElement, status: string): void {
  element.classList.add('status');
  element.dataset.status = status;
  element.textContent = status.charAt(0).toUpperCase() + status.slice(1);
}
