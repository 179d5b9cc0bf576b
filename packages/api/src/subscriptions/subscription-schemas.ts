import { Type } from '@sinclair/typebox';
import { Text } from '../http/text.ts';

/** Merchant handles as the merchants table allows them. */
export const MerchantParams = Type.Object({
  merchant: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{0,253}$', description: "The merchant's handle" }),
});

export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Text({ minLength: 1, maxLength: 2048, description: 'PushSubscription.endpoint' }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object(
      {
        p256dh: Type.String({ minLength: 1, maxLength: 128, description: 'base64url, 65-byte P-256 point' }),
        auth: Type.String({ minLength: 1, maxLength: 64, description: 'base64url, 16 bytes' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: "A browser's PushSubscription as toJSON() gives it" },
);

export const UnsubscribeBody = Type.Object(
  { endpoint: Text({ minLength: 1, maxLength: 2048 }) },
  { additionalProperties: false },
);

export const SubscriberResponse = Type.Object({
  subscriber_id: Type.Integer(),
  merchant: Type.String(),
  status: Type.Union([Type.Literal('created'), Type.Literal('renewed'), Type.Literal('unsubscribed')]),
});
