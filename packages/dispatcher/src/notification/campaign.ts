/** What the dispatcher needs of a campaign row to send it. */
export interface Campaign {
  id: number;
  merchant: string;
  title: string;
  body: string;
  url: string;
  icon: string | null;
  status: 'draft' | 'sending' | 'sent' | 'canceled';
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
}

/** A subscriber the campaign may be sent to, with its browser's PushSubscription. */
export interface Subscriber {
  id: number;
  endpoint: string;
  p256dh: string;
  auth: string;
}
