import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { RequestError } from '../http/request-error.ts';
import { hashApiKey } from './api-keys.ts';

const merchantOf = new WeakMap<FastifyRequest, string>();

/** The merchant a request authenticated as; only callable behind requireMerchant. */
export function authenticatedMerchant(request: FastifyRequest): string {
  const merchant = merchantOf.get(request);
  if (merchant === undefined) throw new Error('route is missing the merchant authentication hook');
  return merchant;
}

/**
 * Adds an onRequest hook to every route of the plugin it is called in: the request must carry
 * `Authorization: Bearer <api key>` for a key that is not revoked, else 401. Only a hash of the
 * key is looked up.
 */
export function requireMerchant(app: FastifyInstance, pool: pg.Pool): void {
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer ([\x21-\x7e]{1,200})$/i.exec(header);
    if (match === null) {
      throw new RequestError(
        401,
        'unauthorized',
        'an API key is required: Authorization: Bearer <key>',
        'headers.authorization',
      );
    }
    const { rows } = await pool.query<{ merchant_id: string }>(
      'SELECT merchant_id FROM merchant_api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [hashApiKey(match[1]!)],
    );
    if (rows[0] === undefined) {
      throw new RequestError(
        401,
        'unauthorized',
        'the API key is unknown or revoked',
        'headers.authorization',
      );
    }
    merchantOf.set(request, rows[0].merchant_id);
  });
}
