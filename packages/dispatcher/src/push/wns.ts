/**
 * Windows Push Notification Services (WNS, `*.notify.windows.com`, Edge on Windows) speaks Web
 * Push with its own headers ("Push notification service request and response headers",
 * Microsoft Learn): `X-WNS-Cache-Policy` says whether a notification for an offline device is
 * kept (`cache`, WNS's default) or dropped (`no-cache`). A `TTL: 0` under the default policy is
 * refused 400 "Ttl value conflicts with X-WNS-Cache-Policy", so the policy always follows the TTL.
 * WNS answers 406 Not Acceptable when the sender exceeded its throttle limit: like a 429.
 */
export function wnsHeaders(ttlSeconds: number): Record<string, string> {
  return { 'x-wns-cache-policy': ttlSeconds > 0 ? 'cache' : 'no-cache' };
}

/** WNS's throttling answer. */
export const WNS_THROTTLED = 406;

/** The response header in which WNS explains a refusal. */
export const WNS_ERROR_DESCRIPTION = 'x-wns-error-description';
