import { Type } from '@sinclair/typebox';
import { Text } from '../http/text.ts';

export const OrderBody = Type.Object(
  {
    order_id: Text({ minLength: 1, maxLength: 128, description: "The store's order id" }),
    subscriber_id: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()], {
        description: 'The push subscriber who ordered (from the subscribe snippet), when known',
      }),
    ),
    total_minor: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Order total in minor units (cents)',
    }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' }),
    created_at: Type.String({ format: 'date-time', maxLength: 64 }),
  },
  { additionalProperties: false },
);

export const OrderResult = Type.Object({
  order_id: Type.String(),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate')]),
});
