import { type CampaignRef, type NotificationPayload, signPingToken } from '@hoot/events';
import type { Campaign } from './campaign.ts';
import { notificationIdFor } from './notification-id.ts';
import { assertPayloadFits } from './payload-too-large-error.ts';

export interface PayloadBuilderOptions {
  /** Signs the ping tokens (the first of PING_TOKEN_SECRETS). */
  secret: string;
  pingUrl: string;
  attributionWindowMs: number;
  now?: () => number;
}

export interface BuiltNotification {
  notificationId: string;
  /** The UTF-8 JSON to encrypt. */
  plaintext: Buffer;
}

/**
 * Builds the JSON each subscriber's service worker receives: what to show, where a click goes,
 * and a ping token valid for the push TTL plus the attribution window (a click may arrive as late
 * as the notification may be delivered, and still attribute orders for the window after it).
 */
export function createPayloadBuilder(options: PayloadBuilderOptions) {
  const now = options.now ?? Date.now;
  return function build(campaign: Campaign, subscriberId: number): BuiltNotification {
    const ref: CampaignRef = { merchant: campaign.merchant, source: 'campaign', source_id: campaign.id };
    const notificationId = notificationIdFor(ref, subscriberId);
    const expiresAt = Math.floor((now() + campaign.ttlSeconds * 1000 + options.attributionWindowMs) / 1000);
    const token = signPingToken(
      {
        notificationId,
        merchant: ref.merchant,
        source: ref.source,
        sourceId: ref.source_id,
        subscriberId,
        expiresAt,
        issuedAt: Math.floor(now() / 1000),
      },
      options.secret,
    );
    const payload: NotificationPayload = {
      v: 1,
      title: campaign.title,
      body: campaign.body,
      url: campaign.url,
      icon: campaign.icon,
      notification_id: notificationId,
      merchant: ref.merchant,
      source: ref.source,
      source_id: ref.source_id,
      subscriber_id: subscriberId,
      token,
      ping_url: options.pingUrl,
    };
    const plaintext = Buffer.from(JSON.stringify(payload));
    assertPayloadFits(plaintext, `campaign ${campaign.id} for subscriber ${subscriberId}`);
    return { notificationId, plaintext };
  };
}

export type PayloadBuilder = ReturnType<typeof createPayloadBuilder>;
