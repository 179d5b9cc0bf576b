import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fillDays,
  fillHours,
  groupByLocalDay,
  HOUR_MS,
  type HourlyFigures,
  hourlyRange,
  localTime,
  offsetChangesWithin,
} from '../../src/dashboard/browser/time-buckets.ts';

function row(hour: string, sent: number, extra: Partial<HourlyFigures> = {}): HourlyFigures {
  return { hour, sent, impressions: 0, clicks: 0, orders: 0, revenue_minor: 0, ...extra };
}

/** Every UTC hour in [fromIso, toIso). */
function utcHours(fromIso: string, toIso: string): number[] {
  const hours: number[] = [];
  for (let ms = Date.parse(fromIso); ms < Date.parse(toIso); ms += HOUR_MS) hours.push(ms);
  return hours;
}

describe('dashboard hourly series', () => {
  it('fills the hours the api left out with zeros, from the first row to the last', () => {
    const columns = fillHours([
      row('2025-06-01T10:00:00.000Z', 5, { revenue_minor: 700 }),
      row('2025-06-01T13:00:00.000Z', 2, { clicks: 1 }),
    ]);
    assert.deepEqual(Array.from(columns.time), [
      Date.parse('2025-06-01T10:00:00Z') / 1000,
      Date.parse('2025-06-01T11:00:00Z') / 1000,
      Date.parse('2025-06-01T12:00:00Z') / 1000,
      Date.parse('2025-06-01T13:00:00Z') / 1000,
    ]);
    assert.deepEqual(Array.from(columns.sent), [5, 0, 0, 2]);
    assert.deepEqual(Array.from(columns.clicks), [0, 0, 0, 1]);
    assert.deepEqual(Array.from(columns.revenueMinor), [700, 0, 0, 0]);
    assert.ok(columns.sent instanceof Float64Array);
  });

  it('extends to a given range and ignores rows outside it', () => {
    const columns = fillHours([row('2025-06-01T10:00:00Z', 5), row('2025-06-01T20:00:00Z', 9)], {
      from: Date.parse('2025-06-01T09:30:00Z'),
      to: Date.parse('2025-06-01T11:00:00Z'),
    });
    assert.deepEqual(Array.from(columns.sent), [0, 5, 0]);
  });

  it('is empty without rows', () => {
    assert.equal(fillHours([]).time.length, 0);
  });
});

describe('dashboard local time zone buckets', () => {
  it('reads a UTC hour on the merchant’s wall clock with its offset', () => {
    assert.deepEqual(localTime(Date.parse('2025-06-01T10:00:00Z'), 'Europe/Berlin'), {
      date: '2025-06-01',
      time: '12:00',
      offset: 'GMT+02:00',
    });
    assert.equal(localTime(Date.parse('2025-06-01T23:00:00Z'), 'America/New_York').date, '2025-06-01');
    assert.equal(localTime(Date.parse('2025-06-01T10:00:00Z'), 'Asia/Kolkata').time, '15:30');
    assert.equal(localTime(Date.parse('2025-06-01T10:00:00Z'), 'Asia/Kathmandu').time, '15:45');
    assert.equal(localTime(Date.parse('2025-06-01T10:00:00Z'), 'UTC').offset, 'GMT+00:00');
  });

  it('gives the night clocks go forward 23 hours and skips 02:00', () => {
    const days = groupByLocalDay(
      utcHours('2025-03-29T23:00:00Z', '2025-03-30T22:00:00Z'),
      (ms) => ms,
      'Europe/Berlin',
    );
    assert.deepEqual(
      days.map((day) => [day.date, day.entries.length]),
      [['2025-03-30', 23]],
    );
    const times = days[0]!.entries.map((entry) => entry.local.time);
    assert.deepEqual(times.slice(0, 3), ['00:00', '01:00', '03:00']);
    assert.equal(offsetChangesWithin(days[0]!), true);
  });

  it('gives the night clocks go back 25 hours with two 02:00 told apart by offset', () => {
    const days = groupByLocalDay(
      utcHours('2025-10-25T22:00:00Z', '2025-10-26T23:00:00Z'),
      (ms) => ms,
      'Europe/Berlin',
    );
    assert.deepEqual(
      days.map((day) => [day.date, day.entries.length]),
      [['2025-10-26', 25]],
    );
    const twoAm = days[0]!.entries.filter((entry) => entry.local.time === '02:00');
    assert.deepEqual(
      twoAm.map((entry) => entry.local.offset),
      ['GMT+02:00', 'GMT+01:00'],
    );
  });

  it('splits hours at the local midnight, not the UTC one', () => {
    const days = groupByLocalDay(
      utcHours('2025-06-01T20:00:00Z', '2025-06-02T02:00:00Z'),
      (ms) => ms,
      'Asia/Tokyo',
    );
    assert.deepEqual(
      days.map((day) => [day.date, day.entries.length]),
      [['2025-06-02', 6]],
    );
    assert.equal(offsetChangesWithin(days[0]!), false);
  });
});

describe('dashboard days', () => {
  it('fills absent calendar days with zeros across a month end', () => {
    const zero = (day: string) => ({ day, subscribed: 0 });
    const filled = fillDays(
      [
        { day: '2025-03-30', subscribed: 3 },
        { day: '2025-04-02', subscribed: 1 },
      ],
      zero,
    );
    assert.deepEqual(filled, [
      { day: '2025-03-30', subscribed: 3 },
      { day: '2025-03-31', subscribed: 0 },
      { day: '2025-04-01', subscribed: 0 },
      { day: '2025-04-02', subscribed: 1 },
    ]);
    assert.deepEqual(fillDays([], zero), []);
  });
});

describe('dashboard hourly chart axis', () => {
  const seconds = (iso: string) => Date.parse(iso) / 1000;
  const iso = (range: [number, number] | null) => range?.map((s) => new Date(s * 1000).toISOString());

  it('runs from the first hour to the end of the last one when the series is long enough', () => {
    const time = [
      seconds('2025-06-01T10:00:00Z'),
      seconds('2025-06-01T11:00:00Z'),
      seconds('2025-06-01T17:00:00Z'),
    ];
    assert.deepEqual(iso(hourlyRange(time, 'Europe/Berlin')), [
      '2025-06-01T10:00:00.000Z',
      '2025-06-01T18:00:00.000Z',
    ]);
  });

  it('widens a single hour evenly to a few hours around it, not to years', () => {
    const range = hourlyRange([seconds('2025-06-01T10:00:00Z')], 'UTC');
    assert.deepEqual(iso(range), ['2025-06-01T07:00:00.000Z', '2025-06-01T14:00:00.000Z']);
    const [min, max] = range!;
    assert.ok(max - min >= 6 * 3600 && max - min <= 8 * 3600);
  });

  it('puts the widened ends on whole hours of the merchant’s clock in a half-hour zone', () => {
    // 10:00 UTC is 15:30 in Kolkata (UTC+05:30): the axis starts and ends on whole local hours.
    const range = hourlyRange([seconds('2025-06-01T10:00:00Z')], 'Asia/Kolkata');
    assert.deepEqual(iso(range), ['2025-06-01T06:30:00.000Z', '2025-06-01T14:30:00.000Z']);
    assert.deepEqual(
      range!.map((s) => localTime(s * 1000, 'Asia/Kolkata').time),
      ['12:00', '20:00'],
    );
  });

  it('has no range without hours, and takes a wider minimum when asked', () => {
    assert.equal(hourlyRange([], 'UTC'), null);
    const [min, max] = hourlyRange([seconds('2025-06-01T10:00:00Z')], 'UTC', 24)!;
    assert.equal((max - min) / 3600, 25);
  });
});
