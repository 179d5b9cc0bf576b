/**
 * The sum of a metric's samples in a Prometheus text exposition (what /metrics answers), over
 * the series whose labels include `labels`; 0 when there is none. Label values are compared as
 * written (no escapes are undone), which is enough for Hoot's own label values.
 */
export function sumOfSamples(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? ([0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const have = new Map(
      [...(match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((m) => [
        m[1] as string,
        m[2] as string,
      ]),
    );
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) total += Number(match[4]);
  }
  return total;
}
