/**
 * Hours and days for the charts and tables. The api reports figures per UTC hour and leaves out
 * hours without events; the merchant reads them in their own time zone. Charts need every hour
 * (a gap is a zero, not a missing point), and tables group hours by the merchant's local day, where
 * a daylight-saving night has 23 or 25 hours and some zones are offset by half or quarter hours.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The longest series filled: about 14 months of hours, far beyond a push TTL plus attribution. */
const MAX_FILLED_HOURS = 24 * 430;

/** One UTC hour of a campaign's figures, as `GET /v1/campaigns/:id/report/hourly` sends it. */
export interface HourlyFigures {
  hour: string;
  sent: number;
  impressions: number;
  clicks: number;
  orders: number;
  revenue_minor: number;
}

/** Hourly figures in columns, the shape uPlot draws: `time` in Unix seconds, one array per series. */
export interface HourlyColumns {
  time: Float64Array;
  sent: Float64Array;
  impressions: Float64Array;
  clicks: Float64Array;
  orders: Float64Array;
  revenueMinor: Float64Array;
}

/** The start of the UTC hour holding `ms`. */
export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/**
 * Every UTC hour from `from` to `to` (both inclusive, epoch milliseconds, floored to the hour;
 * by default the first and the last row), with zeros for the hours the api left out. Rows outside
 * the range are ignored; rows must be whole UTC hours, as the api sends them.
 */
export function fillHours(
  rows: readonly HourlyFigures[],
  range: { from?: number; to?: number } = {},
): HourlyColumns {
  const times = rows.map((row) => Date.parse(row.hour));
  const first = range.from ?? (times.length === 0 ? Number.NaN : Math.min(...times));
  const last = range.to ?? (times.length === 0 ? Number.NaN : Math.max(...times));
  const start = floorHour(first);
  const end = floorHour(last);
  const length =
    Number.isFinite(start) && Number.isFinite(end) && end >= start
      ? Math.min((end - start) / HOUR_MS + 1, MAX_FILLED_HOURS)
      : 0;
  const columns: HourlyColumns = {
    time: new Float64Array(length),
    sent: new Float64Array(length),
    impressions: new Float64Array(length),
    clicks: new Float64Array(length),
    orders: new Float64Array(length),
    revenueMinor: new Float64Array(length),
  };
  for (let i = 0; i < length; i++) columns.time[i] = (start + i * HOUR_MS) / 1000;
  rows.forEach((row, r) => {
    const i = ((times[r] ?? Number.NaN) - start) / HOUR_MS;
    if (!Number.isInteger(i) || i < 0 || i >= length) return;
    columns.sent[i] = row.sent;
    columns.impressions[i] = row.impressions;
    columns.clicks[i] = row.clicks;
    columns.orders[i] = row.orders;
    columns.revenueMinor[i] = row.revenue_minor;
  });
  return columns;
}

/** Where an instant falls on the merchant's wall clock. */
export interface LocalTime {
  /** Local calendar day, `YYYY-MM-DD`. */
  date: string;
  /** Local time of day, `HH:mm` on a 24-hour clock. */
  time: string;
  /**
   * The zone's offset from UTC at that instant, `GMT+02:00`, `GMT+00:00`: tells apart the two
   * 02:00 of a night when clocks go back.
   */
  offset: string;
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    wallClocks.set(timeZone, format);
  }
  return format;
}

/** The local day, time and UTC offset of an instant (epoch milliseconds) in an IANA time zone. */
export function localTime(ms: number, timeZone: string): LocalTime {
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const { type, value } of wallClock(timeZone).formatToParts(ms)) part[type] = value;
  return {
    date: `${part.year}-${part.month}-${part.day}`,
    time: `${part.hour}:${part.minute}`,
    // ICU versions differ on a zero offset: 'GMT' or 'GMT+00:00'.
    offset: part.timeZoneName === undefined || part.timeZoneName === 'GMT' ? 'GMT+00:00' : part.timeZoneName,
  };
}

/** The items of one local day, in the order they were given. */
export interface LocalDay<T> {
  date: string;
  entries: Array<{ item: T; local: LocalTime }>;
}

/**
 * Groups items that each fall in one UTC hour by the local day of the zone. Items must be in time
 * order; a day holds as many hours as the clock had that day (23, 24 or 25).
 */
export function groupByLocalDay<T>(
  items: readonly T[],
  instantOf: (item: T) => number,
  timeZone: string,
): LocalDay<T>[] {
  const days: LocalDay<T>[] = [];
  for (const item of items) {
    const local = localTime(instantOf(item), timeZone);
    const current = days.at(-1);
    if (current?.date === local.date) current.entries.push({ item, local });
    else days.push({ date: local.date, entries: [{ item, local }] });
  }
  return days;
}

/** Whether the zone's offset changes within the day: then times alone are ambiguous or skip an hour. */
export function offsetChangesWithin<T>(day: LocalDay<T>): boolean {
  return day.entries.some((entry) => entry.local.offset !== day.entries[0]?.local.offset);
}

/** A calendar day `YYYY-MM-DD` as epoch milliseconds of its midnight UTC (a day's label, not an instant). */
export function dayToUtcMs(day: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return Number.NaN;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

/** The calendar day `YYYY-MM-DD` whose UTC midnight is `ms`. */
export function utcMsToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Every calendar day from the first to the last one of `rows` (or `from`/`to`), each row's values
 * or `zero(day)` for a day the rows lack. Days are labels in the merchant's zone, so they step by
 * calendar day, not by 24 hours of some clock.
 */
export function fillDays<T extends { day: string }>(
  rows: readonly T[],
  zero: (day: string) => T,
  range: { from?: string; to?: string } = {},
): T[] {
  const byDay = new Map(rows.map((row) => [row.day, row]));
  const sorted = rows.map((row) => row.day).sort();
  const first = dayToUtcMs(range.from ?? sorted[0] ?? '');
  const last = dayToUtcMs(range.to ?? sorted.at(-1) ?? '');
  const filled: T[] = [];
  if (!Number.isFinite(first) || !Number.isFinite(last)) return filled;
  for (let ms = first; ms <= last && filled.length < 3660; ms += DAY_MS) {
    const day = utcMsToDay(ms);
    filled.push(byDay.get(day) ?? zero(day));
  }
  return filled;
}

/** The narrowest span, in hours, of an hourly chart's time axis. */
export const MIN_CHART_HOURS = 6;

/** The zone's offset from UTC at an instant, in seconds: 'GMT+05:30' → 19800. */
function offsetSeconds(ms: number, timeZone: string): number {
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(localTime(ms, timeZone).offset);
  if (match === null) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60;
  return match[1] === '-' ? -seconds : seconds;
}

/**
 * The time axis of an hourly chart, `[min, max]` in Unix seconds: from the first hour to the end of
 * the last one (a point stands for the hour after it), widened evenly to at least `minHours` around
 * a short series (a fresh campaign has one hour: left alone, uPlot spreads a single point over
 * years). Widened bounds fall on whole hours of the merchant's clock, also in zones offset by half
 * or quarter hours. Null when there are no hours.
 */
export function hourlyRange(
  time: ArrayLike<number>,
  timeZone: string,
  minHours = MIN_CHART_HOURS,
): [number, number] | null {
  if (time.length === 0) return null;
  let min = time[0] ?? 0;
  let max = min;
  for (let i = 1; i < time.length; i++) {
    const t = time[i] ?? min;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  max += 3600;
  const missing = minHours * 3600 - (max - min);
  if (missing <= 0) return [min, max];
  min -= Math.ceil(missing / 2 / 3600) * 3600;
  max += Math.ceil(missing / 2 / 3600) * 3600;
  // Onto the merchant's whole hours: the start down, the end up.
  const local = (seconds: number) =>
    (((seconds + offsetSeconds(seconds * 1000, timeZone)) % 3600) + 3600) % 3600;
  min -= local(min);
  const past = local(max);
  if (past !== 0) max += 3600 - past;
  return [min, max];
}
