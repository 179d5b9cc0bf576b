/** A click remembered for attribution: which campaign, when. */
export interface ClickRef {
  campaign: string;
  at: number;
}

/** Most clicks kept per subscriber: enough for any realistic attribution window. */
export const MAX_CLICKS_KEPT = 32;

/**
 * Adds a click to a subscriber's recent clicks, newest first, keeping those within
 * `keepMs` of the newest (the attribution window plus how late an order may arrive).
 */
export function rememberClick(history: ClickRef[] | undefined, click: ClickRef, keepMs: number): ClickRef[] {
  const all = [...(history ?? []), click].sort(
    (a, b) => b.at - a.at || (a.campaign < b.campaign ? -1 : a.campaign > b.campaign ? 1 : 0),
  );
  const newest = all[0]?.at ?? click.at;
  const unique = all.filter(
    (c, i) =>
      c.at >= newest - keepMs && (i === 0 || c.at !== all[i - 1]!.at || c.campaign !== all[i - 1]!.campaign),
  );
  return unique.slice(0, MAX_CLICKS_KEPT);
}

/** The campaign of the subscriber's last click at or before the order, within the window. */
export function attribute(
  history: ClickRef[] | undefined,
  orderAt: number,
  windowMs: number,
): string | undefined {
  return history?.find((c) => c.at <= orderAt && orderAt - c.at <= windowMs)?.campaign;
}
