import { createHash } from 'node:crypto';
import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import type pg from 'pg';

declare module 'fastify' {
  interface Session {
    /** The merchant the session signed in as; absent before sign-in. */
    merchantId?: string;
    /** The API key used to sign in: revoking it ends the session. */
    apiKeyId?: number;
    /** The CSRF secret @fastify/csrf-protection keeps in the session. */
    _csrf?: string;
  }
}

type Callback = (error?: unknown) => void;
type GetCallback = (error: unknown, session?: Session | null) => void;

const CLEANUP_INTERVAL_MS = 10 * 60_000;

function hashSessionId(sessionId: string): Buffer {
  return createHash('sha256').update(sessionId).digest();
}

/**
 * Dashboard sessions in Postgres (`dashboard_sessions`), so every api replica sees every sign-in
 * and a restart signs nobody out. The store interface is express-session's, which
 * @fastify/session takes: set/get/destroy with callbacks. Only a SHA-256 of the session id is
 * kept; a session is found only while unexpired and while the API key it was opened with is not
 * revoked. Expired rows are deleted at most every ten minutes, on a write.
 */
export class PostgresSessionStore implements SessionStore {
  readonly #pool: pg.Pool;
  #lastCleanup = 0;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  set(sessionId: string, session: Session, callback: Callback): void {
    const { merchantId, apiKeyId } = session;
    // Nothing to keep before sign-in (the plugin saves only modified sessions anyway).
    if (merchantId === undefined || apiKeyId === undefined) {
      callback();
      return;
    }
    const expires = session.cookie.expires ?? new Date(Date.now() + (session.cookie.originalMaxAge ?? 0));
    this.#write(hashSessionId(sessionId), merchantId, apiKeyId, JSON.stringify(session), expires).then(
      () => callback(),
      callback,
    );
  }

  get(sessionId: string, callback: GetCallback): void {
    this.#pool
      .query<{ data: Session }>(
        `SELECT s.data FROM dashboard_sessions s JOIN merchant_api_keys k ON k.id = s.api_key_id
         WHERE s.sid_hash = $1 AND s.expires_at > now() AND k.revoked_at IS NULL`,
        [hashSessionId(sessionId)],
      )
      .then(({ rows }) => callback(null, rows[0]?.data ?? null), callback);
  }

  destroy(sessionId: string, callback: Callback): void {
    this.#pool
      .query('DELETE FROM dashboard_sessions WHERE sid_hash = $1', [hashSessionId(sessionId)])
      .then(() => callback(), callback);
  }

  async #write(sidHash: Buffer, merchantId: string, apiKeyId: number, data: string, expires: Date) {
    await this.#pool.query(
      `INSERT INTO dashboard_sessions (sid_hash, merchant_id, api_key_id, data, expires_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sid_hash) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [sidHash, merchantId, apiKeyId, data, expires],
    );
    if (Date.now() - this.#lastCleanup > CLEANUP_INTERVAL_MS) {
      this.#lastCleanup = Date.now();
      await this.#pool.query('DELETE FROM dashboard_sessions WHERE expires_at < now()');
    }
  }
}
