import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifySession from '@fastify/session';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { type ApiConfig, listOf } from '../config.ts';
import { PostgresSessionStore } from './postgres-session-store.ts';

/** The dashboard's session cookie. */
export const SESSION_COOKIE = 'hoot_session';

/**
 * Registers cookies, server-side sessions (@fastify/session over PostgresSessionStore) and CSRF
 * tokens kept in the session (@fastify/csrf-protection) in `scope`, so that only the merchant
 * routes pay for them, never the ping endpoint. The cookie is HttpOnly and SameSite=Strict; its
 * Secure flag is set at sign-in from the request's protocol (see session-routes.ts), because the
 * plugin's own `secure: 'auto'` would lower SameSite to Lax over http. Without SESSION_SECRETS a
 * random secret is drawn per process; `randomSecret` tells the caller so it can warn.
 */
export async function registerDashboardSession(
  scope: FastifyInstance,
  config: ApiConfig,
  pool: pg.Pool,
): Promise<{ randomSecret: boolean }> {
  const secrets = listOf(config.SESSION_SECRETS ?? '');
  const randomSecret = secrets.length === 0;
  await scope.register(fastifyCookie);
  await scope.register(fastifySession, {
    secret: randomSecret ? randomBytes(32).toString('base64url') : secrets,
    cookieName: SESSION_COOKIE,
    store: new PostgresSessionStore(pool),
    saveUninitialized: false,
    rolling: false,
    cookie: {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: false,
      maxAge: config.SESSION_MAX_AGE_HOURS * 3_600_000,
    },
  });
  await scope.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
  return { randomSecret };
}
