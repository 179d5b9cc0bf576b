/** Identifies a campaign (or any other notification source) of a merchant. */
export interface CampaignRef {
  merchant: string;
  source: string;
  source_id: number;
}

/**
 * The key of every campaign-scoped record: `merchant/source/source_id`. Merchants are shop
 * domains and may not contain '/', but parsing from the right keeps it unambiguous anyway.
 */
export function campaignKey(ref: CampaignRef): string {
  return `${ref.merchant}/${ref.source}/${ref.source_id}`;
}

export function parseCampaignKey(key: string): CampaignRef | undefined {
  const idAt = key.lastIndexOf('/');
  const sourceAt = key.lastIndexOf('/', idAt - 1);
  if (idAt <= 0 || sourceAt <= 0) return undefined;
  const idText = key.slice(idAt + 1);
  const sourceId = Number(idText);
  if (!/^-?\d+$/.test(idText) || !Number.isSafeInteger(sourceId)) return undefined;
  return { merchant: key.slice(0, sourceAt), source: key.slice(sourceAt + 1, idAt), source_id: sourceId };
}

/**
 * Identity of one notification: its notification_id when the writer set one, else the seed's
 * natural key (merchant, source, source_id, subscriber_id).
 */
export function notificationIdentity(
  event: CampaignRef & { subscriber_id: number; notification_id?: string | null },
) {
  return event.notification_id ?? `${campaignKey(event)}/${event.subscriber_id}`;
}
