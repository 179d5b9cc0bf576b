/** A query's result: column names and rows of JSON-safe values. */
export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

const text = (value: unknown): string =>
  value === null || value === undefined
    ? ''
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

/** An aligned text table with a header rule and a row count, as psql prints one; NULL shows empty. */
export function formatTable(result: QueryResult): string {
  const cells = result.rows.map((row) => result.columns.map((c) => text(row[c]).replace(/\s+/g, ' ')));
  const widths = result.columns.map((c, i) =>
    Math.max(c.length, ...cells.map((r) => (r[i] as string).length)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] as number))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  const count = `(${result.rows.length} ${result.rows.length === 1 ? 'row' : 'rows'})`;
  return [line(result.columns), rule, ...cells.map(line), count].join('\n');
}

/** CSV per RFC 4180: a header line, fields with a comma, quote or line break quoted, CRLF lines. */
export function formatCsv(result: QueryResult): string {
  const field = (value: unknown) => {
    const t = text(value);
    return /[",\r\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
  };
  const lines = [
    result.columns.map(field),
    ...result.rows.map((row) => result.columns.map((c) => field(row[c]))),
  ];
  return `${lines.map((l) => l.join(',')).join('\r\n')}\r\n`;
}

/** One JSON object per row, one per line (JSON Lines). */
export function formatJsonLines(result: QueryResult): string {
  return result.rows.map((row) => JSON.stringify(row)).join('\n') + (result.rows.length > 0 ? '\n' : '');
}
