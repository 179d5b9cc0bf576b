/**
 * What makes two PushSubscriptions the same browser: the endpoint after normalisation, and the
 * keys in one encoding. Browsers and libraries send the same subscription in different forms
 * (a host in upper case, an explicit `:443`, keys in standard base64 with padding), and each form
 * must land on the same subscriber. Pure functions; the api and its tests use them.
 */

/** Why a value is not a push endpoint or key: the field at fault and a message naming it. */
export interface IdentityProblem {
  field: string;
  message: string;
}

/**
 * The characters RFC 3986 allows in a URI (unreserved, reserved and `%`), ASCII only. Push
 * services hand out endpoints in this form (RFC 8030 section 5: a push resource is a URI);
 * anything else (whitespace, U+2026 `…` copied from a console, quotes) is a damaged copy.
 */
const URI_CHARACTER = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]$/;

const SCHEME_AND_AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;

function describeCharacter(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code > 0x20 && code < 0x7f ? `'${char}' (${hex})` : hex;
}

/**
 * The endpoint in its normal form: scheme and host lower-case, the default https port (443, with
 * or without leading zeros, or an empty port) dropped; the path and query kept byte for byte, as
 * they name the subscription at the push service. Refused, with the field named: anything that is
 * not an absolute URI of RFC 3986 characters (non-ASCII, whitespace, control characters, a bad
 * percent escape), a fragment (never part of a push resource and never sent over HTTP), user
 * information, an empty host, a path that is not absolute or has `.`/`..` segments (an HTTP client
 * would send another path than the one stored). The scheme and host allowlist are checked apart.
 */
export function normaliseEndpoint(
  raw: string,
  field = 'body.endpoint',
): { endpoint: string } | IdentityProblem {
  for (const [index, char] of [...raw].entries()) {
    if (!URI_CHARACTER.test(char)) {
      return {
        field,
        message: `${field} has ${describeCharacter(char)} at character ${index + 1}, not allowed in a URL; send PushSubscription.endpoint exactly as the browser gives it`,
      };
    }
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) {
    return { field, message: `${field} has a '%' not followed by two hex digits` };
  }
  const parts = SCHEME_AND_AUTHORITY.exec(raw);
  if (parts === null) return { field, message: `${field} is not an absolute URL` };
  const [, scheme, authority, rest] = parts as unknown as [string, string, string, string];
  if (rest.includes('#')) return { field, message: `${field} must not have a fragment ('#')` };
  if (authority.includes('@')) return { field, message: `${field} must not carry credentials` };
  const hostPort = /^([^:[\]]+)(?::(\d*))?$/.exec(authority);
  if (hostPort === null) return { field, message: `${field} has no valid host` };
  const host = hostPort[1]!.toLowerCase();
  const port = hostPort[2] === undefined || hostPort[2] === '' ? '' : String(Number(hostPort[2]));
  const lowerScheme = scheme.toLowerCase();
  const defaultPort = lowerScheme === 'https' ? '443' : lowerScheme === 'http' ? '80' : '';
  const path = rest.split('?', 1)[0]!;
  if (!path.startsWith('/')) return { field, message: `${field} has no path` };
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    return { field, message: `${field} must not have '.' or '..' path segments` };
  }
  const authorityOut = port === '' || port === defaultPort ? host : `${host}:${port}`;
  return { endpoint: `${lowerScheme}://${authorityOut}${rest}` };
}

/**
 * Decodes a key of a PushSubscription (RFC 8291's p256dh and auth). The Push API gives them in
 * base64url without padding (`toJSON()`); some browsers and libraries send standard base64, with
 * or without `=` padding. Both alphabets are accepted, but not mixed in one value; padding, when
 * present, must be right. Undefined when the value is none of these.
 */
export function decodeKey(value: string): Buffer | undefined {
  const match = /^([A-Za-z0-9+/_-]+)(={0,2})$/.exec(value);
  if (match === null) return undefined;
  const [, body, padding] = match as unknown as [string, string, string];
  if (/[+/]/.test(body) && /[-_]/.test(body)) return undefined;
  if (body.length % 4 === 1) return undefined;
  if (padding !== '' && (body.length + padding.length) % 4 !== 0) return undefined;
  return Buffer.from(body.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url');
}

/** A key in the form it is stored and sent to the dispatcher: base64url without padding. */
export function normaliseKey(bytes: Buffer): string {
  return bytes.toString('base64url');
}
