/** Durations in words, pluralised by the reader's locale (no DOM: unit-tested in Node). */

const durations = new Map<string, Intl.NumberFormat>();

/** A count of a unit, pluralised by the locale's rules: "1 hour", "24 hours", "28 days". */
export function formatQuantity(value: number, unit: 'minute' | 'hour' | 'day', locale?: string): string {
  const key = `${locale ?? ''} ${unit}`;
  let format = durations.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, {
      style: 'unit',
      unit,
      unitDisplay: 'long',
      maximumFractionDigits: 1,
    });
    durations.set(key, format);
  }
  return format.format(value);
}

/**
 * A time to live in words: minutes below an hour, else hours, with the days beside a whole number
 * of them: "30 minutes", "1 hour", "36 hours", "672 hours (28 days)".
 */
export function formatTtl(seconds: number, locale?: string): string {
  if (seconds < 3600) return formatQuantity(Math.round(seconds / 60), 'minute', locale);
  const hours = seconds / 3600;
  const text = formatQuantity(hours, 'hour', locale);
  return hours >= 24 && hours % 24 === 0 ? `${text} (${formatQuantity(hours / 24, 'day', locale)})` : text;
}
