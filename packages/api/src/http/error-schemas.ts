import { Type } from '@sinclair/typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'Machine-readable code' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The input at fault, e.g. `body.pings.0.token`' })),
  },
  { description: 'Every 4xx and 5xx answer' },
);

/** Response schemas for the given error statuses. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorResponse]));
}
