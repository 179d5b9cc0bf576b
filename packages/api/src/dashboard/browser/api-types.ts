import type { Static } from '@sinclair/typebox';
import type {
  CampaignList as CampaignListSchema,
  Campaign as CampaignSchema,
  HourlyReport as HourlyReportSchema,
  Report as ReportSchema,
  SendAccepted as SendAcceptedSchema,
} from '../../campaigns/campaign-schemas.ts';
import type {
  NotificationLogEntry as NotificationLogEntrySchema,
  NotificationLog as NotificationLogSchema,
} from '../../notifications/notification-schemas.ts';

// The campaign shapes come from the api's own schemas (types only: nothing of TypeBox reaches the
// browser), so a changed response is a type error here.

/** A campaign with its report, as `GET /v1/campaigns/:id` and the `campaign` event send it. */
export type Campaign = Static<typeof CampaignSchema>;
export type Report = Static<typeof ReportSchema>;
export type CampaignList = Static<typeof CampaignListSchema>;
export type HourlyReport = Static<typeof HourlyReportSchema>;
export type SendAccepted = Static<typeof SendAcceptedSchema>;
/** `GET /v1/notifications`: a page of the notification log. */
export type NotificationLog = Static<typeof NotificationLogSchema>;
export type NotificationLogEntry = Static<typeof NotificationLogEntrySchema>;

/** `POST /v1/session` and `GET /v1/session`. */
export interface Session {
  merchant: { id: string; name: string; time_zone: string };
  csrf_token: string;
}

/** `GET /v1/subscribers/stats?days=N`; days are calendar days in the merchant's zone. */
export interface SubscriberStats {
  total: number;
  sendable: number;
  expired: number;
  unsubscribed: number;
  time_zone: string;
  by_push_service: Array<{ push_service: string; total: number; sendable: number; expired: number }>;
  growth: GrowthDay[];
}

export interface GrowthDay {
  day: string;
  subscribed: number;
  expired: number;
  unsubscribed: number;
}

/** Every refusal of the api. */
export interface ApiErrorBody {
  error: string;
  message: string;
  field?: string;
}
