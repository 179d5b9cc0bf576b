import { Type } from '@sinclair/typebox';

export const PingType = Type.Union([Type.Literal('delivery'), Type.Literal('click')], {
  description: 'delivery: the notification was shown; click: the subscriber clicked it',
});

export const PingItem = Type.Object(
  {
    type: PingType,
    token: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'The signed token from the notification payload',
    }),
    time: Type.Optional(
      Type.String({
        format: 'date-time',
        maxLength: 64,
        description: "The browser's time of delivery or click; used when plausible",
      }),
    ),
  },
  { additionalProperties: false },
);

export function pingBody(maxPings: number) {
  return Type.Object(
    { pings: Type.Array(PingItem, { minItems: 1, maxItems: maxPings }) },
    { additionalProperties: false },
  );
}

export const PingAccepted = Type.Object({
  accepted: Type.Integer({ description: 'Pings written to Kafka and acknowledged by all in-sync replicas' }),
});
