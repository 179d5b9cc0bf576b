import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { RequestError } from '../http/request-error.ts';
import { Text } from '../http/text.ts';

export const MerchantProfile = Type.Object({
  id: Type.String(),
  name: Type.String(),
  time_zone: Type.String({ description: 'IANA time zone the dashboard shows hours and days in' }),
});

export const MerchantProfilePatch = Type.Object(
  {
    name: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, examples: ['Europe/Berlin'] })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export interface MerchantProfileView {
  id: string;
  name: string;
  time_zone: string;
}

/** The merchant's id, name and time zone; undefined for an unknown merchant. */
export async function findMerchantProfile(
  db: pg.Pool | pg.PoolClient,
  merchantId: string,
): Promise<MerchantProfileView | undefined> {
  const { rows } = await db.query<MerchantProfileView>(
    'SELECT id, name, time_zone FROM merchants WHERE id = $1',
    [merchantId],
  );
  return rows[0];
}

/**
 * Throws a 400 naming `field` unless `zone` is an IANA time zone both the browser side (Intl,
 * which the dashboard formats with) and Postgres (which groups days with AT TIME ZONE) know.
 */
export async function checkTimeZone(pool: pg.Pool, zone: string, field: string): Promise<void> {
  let known = true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    const { rows } = await pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_timezone_names WHERE name = $1',
      [zone],
    );
    known = Number(rows[0]!.n) > 0;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    known = false;
  }
  if (!known) throw new RequestError(400, 'unknown_time_zone', `${field} is not an IANA time zone`, field);
}
