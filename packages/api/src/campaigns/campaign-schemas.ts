import { Type } from '@sinclair/typebox';
import { Text } from '../http/text.ts';

export const CampaignStatus = Type.Union(
  ['draft', 'sending', 'sent', 'canceled'].map((s) => Type.Literal(s)),
  { description: 'draft → sending → sent, or canceled before sent' },
);

export const Urgency = Type.Union(['very-low', 'low', 'normal', 'high'].map((u) => Type.Literal(u)));

export const CampaignIdParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Campaign id' }),
});

export const CreateCampaignBody = Type.Object(
  {
    title: Text({ minLength: 1, maxLength: 120 }),
    body: Text({ minLength: 1, maxLength: 500 }),
    url: Type.String({
      format: 'uri',
      // A host is required: `https://` alone is a valid URI reference but opens nothing.
      pattern: '^https?://[^/?#\\s\\u0000]+([/?#][^\\u0000]*)?$',
      maxLength: 2048,
      description: 'Opened on click',
    }),
    icon: Type.Optional(
      Type.String({
        format: 'uri',
        pattern: '^https://[^/?#\\s\\u0000]+([/?#][^\\u0000]*)?$',
        maxLength: 2048,
      }),
    ),
    ttl_seconds: Type.Optional(
      Type.Integer({ minimum: 60, maximum: 2_419_200, description: 'Push TTL; default 28 days' }),
    ),
    urgency: Type.Optional(Urgency),
  },
  { additionalProperties: false },
);

/** An amount of revenue in one currency. Amounts in different currencies are never added. */
export const CurrencyAmount = Type.Object({
  currency: Type.String({ description: 'ISO 4217 code' }),
  revenue_minor: Type.Integer({ description: 'Minor units of the currency' }),
  digits: Type.Integer({ description: "The currency's minor-unit digits by ISO 4217 (USD 2, JPY 0, KWD 3)" }),
});

export const Report = Type.Object({
  sent: Type.Integer(),
  impressions: Type.Integer(),
  clicks: Type.Integer(),
  ctr: Type.Number({ description: 'clicks / impressions; 0 without impressions' }),
  orders: Type.Integer(),
  revenue_minor: Type.Integer({
    description: "Attributed revenue in minor units of `currency` only (the campaign's first currency)",
  }),
  currency: Type.Union([Type.String(), Type.Null()], {
    description: 'The currency of the first attributed order; null before any',
  }),
  revenue: Type.Array(CurrencyAmount, {
    description: 'Attributed revenue per currency, `currency` first, then by code',
  }),
  updated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the processor last changed these figures; null before any',
  }),
});

const nullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const Campaign = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  url: Type.String(),
  icon: Type.Union([Type.String(), Type.Null()]),
  status: CampaignStatus,
  ttl_seconds: Type.Integer(),
  urgency: Urgency,
  created_at: Type.String({ format: 'date-time' }),
  send_requested_at: nullableTime,
  sent_at: nullableTime,
  canceled_at: nullableTime,
  report: Report,
});

export const SortKey = Type.Union(
  ['created_at', 'sent', 'impressions', 'clicks', 'revenue'].map((k) => Type.Literal(k)),
);

export const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
    sort: Type.Optional(SortKey),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    status: Type.Optional(CampaignStatus),
  },
  { additionalProperties: false },
);

export const CampaignList = Type.Object({
  campaigns: Type.Array(Campaign),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  next_offset: Type.Union([Type.Integer(), Type.Null()], { description: 'null on the last page' }),
});

export const SendAccepted = Type.Object({
  campaign: Campaign,
  request_id: Type.String({ format: 'uuid' }),
});

export const CampaignReport = Type.Intersect([Type.Object({ campaign_id: Type.Integer() }), Report]);

/** A time Postgres' timestamptz holds: years 1970 to 9999 (a year 0 would be refused by the query). */
const HourBound = Type.String({
  format: 'date-time',
  pattern: '^(19[7-9][0-9]|[2-9][0-9]{3})-',
  description: 'RFC 3339 date-time, years 1970 to 9999',
});

export const HourlyQuery = Type.Object(
  {
    from: Type.Optional(HourBound),
    to: Type.Optional(HourBound),
  },
  { additionalProperties: false },
);

export const HourlyReport = Type.Object({
  campaign_id: Type.Integer(),
  hours: Type.Array(
    Type.Object({
      hour: Type.String({ format: 'date-time' }),
      sent: Type.Integer(),
      impressions: Type.Integer(),
      clicks: Type.Integer(),
      ctr: Type.Number(),
      orders: Type.Integer(),
      revenue_minor: Type.Integer({ description: "Revenue in the hour's first currency only" }),
      currency: Type.Union([Type.String(), Type.Null()]),
      revenue: Type.Array(CurrencyAmount),
    }),
  ),
});
