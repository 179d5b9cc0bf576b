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

const droppedCount = Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 }));

/**
 * Pings a service worker gave up on since its last accepted request, by reason: `expired` (its
 * token expired while the api could not be reached), `refused` (the api answered a 4xx other
 * than 429), `overflow` (more pending than the worker keeps). Reported with the next ping and
 * counted once that request is accepted, so a loss is never silent.
 */
export const DroppedPings = Type.Object(
  { expired: droppedCount, refused: droppedCount, overflow: droppedCount },
  { additionalProperties: false },
);

export function pingBody(maxPings: number) {
  return Type.Object(
    {
      pings: Type.Array(PingItem, { minItems: 1, maxItems: maxPings }),
      dropped: Type.Optional(DroppedPings),
    },
    { additionalProperties: false },
  );
}

export const PingAccepted = Type.Object({
  accepted: Type.Integer({ description: 'Pings written to Kafka and acknowledged by all in-sync replicas' }),
});
