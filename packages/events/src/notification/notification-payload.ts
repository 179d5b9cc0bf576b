/**
 * The JSON the dispatcher encrypts into each web push and the service worker reads: what to show,
 * where to go on click, and what to send back in the delivery and click pings.
 */
export interface NotificationPayload {
  /** Payload format version. */
  v: 1;
  title: string;
  body: string;
  url: string;
  icon: string | null;
  notification_id: string;
  merchant: string;
  source: string;
  source_id: number;
  subscriber_id: number;
  /** The signed ping token (see signPingToken). */
  token: string;
  /** Absolute URL of the api's ping endpoint. */
  ping_url: string;
}

/** Push services accept at most 4096 bytes of encrypted payload; aes128gcm adds this much. */
export const MAX_PUSH_PAYLOAD_BYTES = 4096;
export const AES128GCM_OVERHEAD_BYTES = 86 + 17;
