import { createHash } from 'node:crypto';
import { type CampaignRef, campaignKey } from '@hoot/events';

/**
 * The id of the notification a campaign sends one subscriber: 22 base64url characters (132 bits)
 * of SHA-256 over the campaign key and the subscriber id. Deterministic, so a batch sent again
 * after a crash produces the same ids and the processor counts each notification once; opaque, so
 * it reveals nothing about the audience. Being url-safe and at most 32 characters, it is also the
 * Topic header under which a push service collapses duplicates of the same notification.
 */
export function notificationIdFor(campaign: CampaignRef, subscriberId: number): string {
  return createHash('sha256')
    .update(`${campaignKey(campaign)}/${subscriberId}`)
    .digest('base64url')
    .slice(0, 22);
}
