import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses } from '../http/error-schemas.ts';
import { RequestError } from '../http/request-error.ts';
import { findApiKey } from '../merchants/merchant-auth.ts';
import { findMerchantProfile, MerchantProfile } from '../merchants/merchant-profile.ts';
import { publicRateLimit, type RouteContext } from '../route-context.ts';
import { SESSION_COOKIE } from './dashboard-session.ts';

const SignIn = Type.Object(
  { api_key: Type.String({ minLength: 1, maxLength: 200, description: "The merchant's API key" }) },
  { additionalProperties: false },
);

const SessionView = Type.Object({
  merchant: MerchantProfile,
  csrf_token: Type.String({ description: 'Send it as `x-csrf-token` with every write made with the cookie' }),
});

function notSignedIn(): RequestError {
  return new RequestError(401, 'unauthorized', 'not signed in', 'cookies.hoot_session');
}

async function sessionView(ctx: RouteContext, request: FastifyRequest, reply: FastifyReply) {
  const merchant = await findMerchantProfile(ctx.pool, request.session.merchantId!);
  if (merchant === undefined) throw notSignedIn();
  return { merchant, csrf_token: reply.generateCsrf() };
}

/**
 * Dashboard sign-in: the merchant's API key is exchanged for a session cookie (registered by
 * registerDashboardSession in the same scope), so the key is typed once and never kept by the
 * page. Sign-in gets a fresh session id (no fixation); sign-out needs the CSRF token.
 */
export function sessionRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/session',
      {
        config: publicRateLimit(ctx.config),
        schema: {
          tags: ['dashboard'],
          summary: 'Sign in to the dashboard with an API key; sets the session cookie',
          body: SignIn,
          response: { 200: SessionView, ...errorResponses(400, 401, 429) },
        },
      },
      async (request, reply) => {
        const key = await findApiKey(ctx.pool, request.body.api_key);
        if (key === undefined) {
          throw new RequestError(401, 'unauthorized', 'the API key is unknown or revoked', 'body.api_key');
        }
        await request.session.regenerate();
        request.session.merchantId = key.merchantId;
        request.session.apiKeyId = key.id;
        request.session.options({ secure: request.protocol === 'https' });
        return sessionView(ctx, request, reply);
      },
    );

    app.get(
      '/v1/session',
      {
        schema: {
          tags: ['dashboard'],
          summary: 'The signed-in merchant and a CSRF token',
          response: { 200: SessionView, ...errorResponses(401) },
        },
      },
      async (request, reply) => {
        if (request.session.merchantId === undefined) throw notSignedIn();
        return sessionView(ctx, request, reply);
      },
    );

    app.delete(
      '/v1/session',
      {
        onRequest: (request, reply, done) => {
          if (request.session.merchantId === undefined) return done(notSignedIn());
          app.csrfProtection(request, reply, done);
        },
        schema: {
          tags: ['dashboard'],
          summary: 'Sign out: ends the session (needs x-csrf-token)',
          response: { 204: Type.Null(), ...errorResponses(401, 403) },
        },
      },
      async (request, reply) => {
        await request.session.destroy();
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send(null);
      },
    );
  };
}
