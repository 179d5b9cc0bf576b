/**
 * Times in pings. Hoot's api writes ISO 8601 strings and `event_time` in epoch ms; the producers
 * of the system Hoot replaces wrote Python's `str(datetime)`: `2019-05-14 10:23:45.123456`,
 * with an offset when the datetime was aware, and the string `None` where there was no time.
 * A time without an offset is UTC.
 */
const TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/;

/** Epoch ms, null for no time (null, '' or 'None'), or NaN for text that is not a time. */
export function parsePingTime(text: string | null): number | null {
  if (text === null) return null;
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'None') return null;
  const m = TIME.exec(trimmed);
  if (m === null) return Number.NaN;
  const [, y, mo, d, h, mi, s, fraction = '', , sign, oh = '0', om = '0'] = m;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(utc);
  if (
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h)
  ) {
    return Number.NaN;
  }
  const offset = (Number(oh) * 60 + Number(om)) * 60_000;
  return sign === '-' ? utc + offset : utc - offset;
}
