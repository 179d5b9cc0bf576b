import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/error-schemas.ts';
import type { RouteContext } from '../route-context.ts';
import { authenticatedMerchant } from './merchant-auth.ts';
import {
  checkTimeZone,
  findMerchantProfile,
  MerchantProfile,
  MerchantProfilePatch,
} from './merchant-profile.ts';

/** The signed-in merchant's own profile: name and the time zone its dashboard uses. */
export function merchantRoutes(ctx: RouteContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const security = [{ apiKey: [] }];
    app.get(
      '/v1/merchant',
      {
        schema: {
          tags: ['merchant'],
          summary: 'The merchant the key or sign-in belongs to',
          security,
          response: { 200: MerchantProfile, ...errorResponses(401) },
        },
      },
      async (request) => (await findMerchantProfile(ctx.pool, authenticatedMerchant(request)))!,
    );
    app.patch(
      '/v1/merchant',
      {
        schema: {
          tags: ['merchant'],
          summary: "Change the merchant's name or time zone",
          security,
          body: MerchantProfilePatch,
          response: { 200: MerchantProfile, ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const merchantId = authenticatedMerchant(request);
        const { name, time_zone: timeZone } = request.body;
        if (timeZone !== undefined) await checkTimeZone(ctx.pool, timeZone, 'body.time_zone');
        await ctx.pool.query(
          'UPDATE merchants SET name = COALESCE($2, name), time_zone = COALESCE($3, time_zone) WHERE id = $1',
          [merchantId, name ?? null, timeZone ?? null],
        );
        return (await findMerchantProfile(ctx.pool, merchantId))!;
      },
    );
  };
}
