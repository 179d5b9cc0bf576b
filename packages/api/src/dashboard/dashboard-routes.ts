import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { dashboardAssets, etagOf, type PageName } from './dashboard-assets.ts';
import {
  ASSETS_PATH,
  DASHBOARD_PATH,
  FAVICON_PATH,
  FAVICON_SVG,
  notFoundPage,
  pageShell,
} from './page-shells.ts';

/**
 * Scripts and styles only from this origin and never inline; data only from this api. Images may
 * come from any https host because the compose preview shows the merchant's own icon URL.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Hashed names never change content, so a browser keeps them for a year without asking. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The icon's name does not change with its bytes: a day, then revalidated by ETag. */
const FAVICON_CACHE = 'public, max-age=86400';
/** Page shells name the current hashed assets, so a browser must revalidate them (cheap: ETag). */
const REVALIDATE = 'no-cache';

const pageRoutes: ReadonlyArray<[string, PageName]> = [
  [`${DASHBOARD_PATH}/`, 'campaigns'],
  [`${DASHBOARD_PATH}/sign-in`, 'sign-in'],
  [`${DASHBOARD_PATH}/campaigns/new`, 'compose'],
  [`${DASHBOARD_PATH}/subscribers`, 'subscribers'],
  [`${DASHBOARD_PATH}/notifications`, 'notifications'],
];

/** Answers 304 when the browser already has these bytes. */
function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  return header === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function sendCached(
  request: FastifyRequest,
  reply: FastifyReply,
  body: Buffer | string,
  options: { etag: string; contentType: string; cacheControl: string },
): FastifyReply {
  reply.header('etag', options.etag).header('cache-control', options.cacheControl);
  if (notModified(request, options.etag)) return reply.code(304).send();
  return reply.type(options.contentType).send(body);
}

/**
 * The merchant dashboard: HTML shells at `/dashboard/…` and their bundled scripts and stylesheet
 * at `/dashboard/assets/…`, built in memory at start-up. Pages hold no data and need no
 * authentication; their scripts read everything from the JSON api with the session cookie.
 */
export function dashboardRoutes(): FastifyPluginAsync {
  return async (app) => {
    const assets = await dashboardAssets();
    const html = 'text/html; charset=utf-8';
    const hide = { schema: { hide: true } };

    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'same-origin');
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
        reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
        reply.header('x-frame-options', 'DENY');
      }
      return payload;
    });

    app.get('/', hide, async (_request, reply) => reply.redirect(`${DASHBOARD_PATH}/`, 302));
    app.get(DASHBOARD_PATH, hide, async (_request, reply) => reply.redirect(`${DASHBOARD_PATH}/`, 301));

    // Browsers ask for an icon on every page; without one, /favicon.ico is the api's JSON 404.
    const faviconTag = etagOf(FAVICON_SVG);
    const favicon = async (request: FastifyRequest, reply: FastifyReply) =>
      sendCached(request, reply, FAVICON_SVG, {
        etag: faviconTag,
        contentType: 'image/svg+xml',
        cacheControl: FAVICON_CACHE,
      });
    app.get(FAVICON_PATH, hide, favicon);
    app.get('/favicon.ico', hide, favicon);

    const page = (name: PageName) => {
      const body = pageShell(name, assets);
      const etag = etagOf(body);
      return async (request: FastifyRequest, reply: FastifyReply) =>
        sendCached(request, reply, body, { etag, contentType: html, cacheControl: REVALIDATE });
    };
    for (const [url, name] of pageRoutes) app.get(url, hide, page(name));

    const campaignPage = page('campaign');
    const missing = notFoundPage(assets);
    app.get<{ Params: { id: string } }>(`${DASHBOARD_PATH}/campaigns/:id`, hide, async (request, reply) => {
      if (!/^[1-9][0-9]{0,15}$/.test(request.params.id)) {
        return reply.code(404).type(html).header('cache-control', REVALIDATE).send(missing);
      }
      return campaignPage(request, reply);
    });

    app.get<{ Params: { file: string } }>(`${ASSETS_PATH}/:file`, hide, async (request, reply) => {
      const asset = assets.files.get(request.params.file);
      if (asset === undefined) {
        return reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .header('cache-control', 'no-store')
          .send('not found');
      }
      return sendCached(request, reply, asset.body, {
        etag: asset.etag,
        contentType: asset.contentType,
        cacheControl: IMMUTABLE,
      });
    });
  };
}
