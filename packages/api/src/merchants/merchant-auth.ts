import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
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

/** A live API key: its id and merchant, or undefined for an unknown or revoked key. */
export async function findApiKey(
  pool: pg.Pool,
  key: string,
): Promise<{ id: number; merchantId: string } | undefined> {
  const { rows } = await pool.query<{ id: string; merchant_id: string }>(
    'SELECT id, merchant_id FROM merchant_api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
    [hashApiKey(key)],
  );
  return rows[0] === undefined ? undefined : { id: Number(rows[0].id), merchantId: rows[0].merchant_id };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Adds onRequest hooks to every route of the plugin it is called in. A request authenticates with
 * `Authorization: Bearer <api key>` (a key that is not revoked; only its hash is looked up) or,
 * from the dashboard, with its session cookie (see sessions/). Neither: 401. A write made with the
 * cookie must also carry the session's CSRF token in `x-csrf-token` (403 without it): a cookie
 * rides along on requests other sites make, a header does not. Needs the session and
 * csrf-protection plugins registered in an enclosing scope.
 */
export function requireMerchant(app: FastifyInstance, pool: pg.Pool): void {
  const viaSession = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined && request.session?.merchantId !== undefined) {
      merchantOf.set(request, request.session.merchantId);
      viaSession.add(request);
      return;
    }
    const match = header === undefined ? null : /^Bearer ([\x21-\x7e]{1,200})$/i.exec(header);
    if (match === null) {
      throw new RequestError(
        401,
        'unauthorized',
        'an API key (Authorization: Bearer <key>) or a dashboard sign-in is required',
        'headers.authorization',
      );
    }
    const key = await findApiKey(pool, match[1]!);
    if (key === undefined) {
      throw new RequestError(
        401,
        'unauthorized',
        'the API key is unknown or revoked',
        'headers.authorization',
      );
    }
    merchantOf.set(request, key.merchantId);
  });
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (!viaSession.has(request) || SAFE_METHODS.has(request.method)) return done();
    app.csrfProtection(request, reply, done);
  });
}
