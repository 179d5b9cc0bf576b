import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { decodeCursor } from '@hoot/archiver';
import type { Static } from '@sinclair/typebox';
import { errorResponses } from '../http/error-schemas.ts';
import { RequestError } from '../http/request-error.ts';
import { authenticatedMerchant } from '../merchants/merchant-auth.ts';
import type { NotificationArchive } from './notification-archive.ts';
import {
  DEFAULT_LOG_DAYS,
  MAX_LOG_DAYS,
  NotificationLog,
  NotificationLogQuery,
} from './notification-schemas.ts';

const DAY_MS = 86_400_000;

/** A date-time the schema let through that has no instant (a leap second, 23:59:60). */
function instant(text: string, name: 'from' | 'to'): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new RequestError(
      400,
      'validation_failed',
      `querystring.${name} is not an instant`,
      `querystring.${name}`,
    );
  }
  return ms;
}

/**
 * The range a request reads, defaults applied: `to` now, `from` DEFAULT_LOG_DAYS before `to`.
 * Refuses `from` not before `to` (naming `to`) and a range over MAX_LOG_DAYS (naming `from`).
 */
export function logRange(
  query: Pick<Static<typeof NotificationLogQuery>, 'from' | 'to'>,
  now: number,
): { from: number; to: number } {
  const to = query.to === undefined ? now : instant(query.to, 'to');
  const from = query.from === undefined ? to - DEFAULT_LOG_DAYS * DAY_MS : instant(query.from, 'from');
  if (from >= to) {
    throw new RequestError(400, 'invalid_range', 'querystring.to must be after from', 'querystring.to');
  }
  if (to - from > MAX_LOG_DAYS * DAY_MS) {
    throw new RequestError(
      400,
      'range_too_long',
      `querystring.from must be at most ${MAX_LOG_DAYS} days before to`,
      'querystring.from',
    );
  }
  return { from, to };
}

/** The merchant's notification log, from the audit archive: their own notifications only. */
export function notificationRoutes(archive: NotificationArchive): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary:
            'The notification log: what was sent to whom, when, with what outcome, delivered and clicked',
          description:
            'Notifications of campaigns whose outcome was recorded in [from, to), newest first, from the audit archive ' +
            '(seconds behind the dispatcher). `delivered_at` and `clicked_at` come from pings received up to 7 days ' +
            "after `to`. Page with `cursor` = the previous page's `next`. 503 when the archive cannot be read.",
          security: [{ apiKey: [] }],
          querystring: NotificationLogQuery,
          response: { 200: NotificationLog, ...errorResponses(400, 401, 503) },
        },
      },
      async (request) => {
        const { subscriber_id, campaign_id, limit, cursor } = request.query;
        const { from, to } = logRange(request.query, Date.now());
        const merchant = authenticatedMerchant(request);
        if (cursor !== undefined) {
          try {
            decodeCursor(cursor, {
              merchant,
              ...(subscriber_id === undefined ? {} : { subscriberId: subscriber_id }),
              ...(campaign_id === undefined ? {} : { campaignId: campaign_id }),
            });
          } catch (error) {
            throw new RequestError(
              400,
              'invalid_cursor',
              `querystring.cursor ${(error as Error).message.replace(/^cursor /, '')}: pass the \`next\` of the previous page, with the same filters`,
              'querystring.cursor',
            );
          }
        }
        const page = await archive.page({
          merchant,
          from,
          to,
          limit,
          ...(subscriber_id === undefined ? {} : { subscriberId: subscriber_id }),
          ...(campaign_id === undefined ? {} : { campaignId: campaign_id }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        return { ...page, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
      },
    );
  };
}
