import { Type } from '@sinclair/typebox';
import { Text } from '../http/text.ts';

/** Merchant handles as the merchants table allows them. */
export const MerchantParams = Type.Object({
  merchant: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{0,253}$', description: "The merchant's handle" }),
});

export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Text({
      minLength: 1,
      maxLength: 2048,
      description:
        'PushSubscription.endpoint: an https URL on a known push service; stored with scheme and host lower-case and no :443',
    }),
    expirationTime: Type.Optional(
      Type.Union([Type.Number(), Type.Null()], {
        description:
          'PushSubscription.expirationTime: ms since the epoch after which nothing is sent, or null',
      }),
    ),
    keys: Type.Object(
      {
        p256dh: Type.String({
          minLength: 1,
          maxLength: 128,
          description: 'base64url or base64, padded or not: a 65-byte P-256 point',
        }),
        auth: Type.String({
          minLength: 1,
          maxLength: 64,
          description: 'base64url or base64, padded or not: 16 bytes',
        }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: "A browser's PushSubscription as toJSON() gives it" },
);

/** A renewed subscription from the service worker, with the proof of the subscriber it was. */
export const RenewBody = Type.Object(
  {
    subscriber_id: Type.Integer({ minimum: 1, description: 'The subscriber the browser was' }),
    proof: Type.String({
      pattern: '^[A-Za-z0-9_-]{43}$',
      description: 'The proof handed out with that subscriber id when it subscribed or last renewed',
    }),
    subscription: PushSubscriptionBody,
  },
  { additionalProperties: false },
);

export const UnsubscribeBody = Type.Object(
  { endpoint: Text({ minLength: 1, maxLength: 2048 }) },
  { additionalProperties: false },
);

export const SubscriberResponse = Type.Object({
  subscriber_id: Type.Integer(),
  merchant: Type.String(),
  status: Type.Union([
    Type.Literal('created'),
    Type.Literal('renewed'),
    Type.Literal('relinked'),
    Type.Literal('unsubscribed'),
  ]),
  proof: Type.Optional(
    Type.String({
      description:
        "Proof of this subscriber id, for the service worker to present when the push service renews the subscription (keep it in the worker's IndexedDB)",
    }),
  ),
});
