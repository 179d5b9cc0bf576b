import { ECDH } from 'node:crypto';

/** Where a browser's PushSubscription fails our checks: the field and why. */
export interface SubscriptionProblem {
  field: string;
  message: string;
}

/** An allowlist entry: a host pattern, and the one port it allows, if it names one. */
interface AllowlistEntry {
  pattern: string;
  /** '' when the entry names no port: then only the scheme's default port is allowed. */
  port: string;
}

function parseEntry(entry: string): AllowlistEntry {
  const match = /^(.*):(\d{1,5})$/.exec(entry.toLowerCase());
  return match === null
    ? { pattern: entry.toLowerCase(), port: '' }
    : { pattern: match[1]!, port: match[2]! };
}

function patternMatches(pattern: string, name: string): boolean {
  return pattern.startsWith('*.')
    ? name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1
    : name === pattern;
}

/**
 * `fcm.googleapis.com` matches itself only; `*.push.apple.com` matches any subdomain of
 * push.apple.com. An entry naming a port, `localhost:8443`, allows that host with exactly that
 * port (a local push service in development); an entry without one allows no explicit port.
 * `port` is the URL's port, '' for the scheme's default.
 */
export function hostAllowed(host: string, allowlist: readonly string[], port = ''): boolean {
  const name = host.toLowerCase();
  return allowlist.some((raw) => {
    const entry = parseEntry(raw);
    return entry.port === port && patternMatches(entry.pattern, name);
  });
}

/**
 * The endpoint must be an https URL on a known push service: the dispatcher will POST to it, so
 * anything else would let a stranger point our servers at arbitrary hosts (SSRF). A port other
 * than 443 is refused unless an allowlist entry names that host and port.
 */
export function checkEndpoint(
  endpoint: string,
  allowlist: readonly string[],
): SubscriptionProblem | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { field: 'body.endpoint', message: 'body.endpoint is not a URL' };
  }
  if (url.protocol !== 'https:') return { field: 'body.endpoint', message: 'body.endpoint must be https' };
  if (url.username !== '' || url.password !== '') {
    return { field: 'body.endpoint', message: 'body.endpoint must not carry credentials' };
  }
  // URL drops the scheme's default port, so https://host:443/ has port ''.
  if (url.port !== '' && !hostAllowed(url.hostname, allowlist, url.port)) {
    return {
      field: 'body.endpoint',
      message: `body.endpoint must not carry a port (${url.port}) unless the allowlist names ${url.hostname}:${url.port}`,
    };
  }
  if (!hostAllowed(url.hostname, allowlist, url.port)) {
    return {
      field: 'body.endpoint',
      message: `body.endpoint host ${url.hostname} is not a known push service`,
    };
  }
  return undefined;
}

const base64url = /^[A-Za-z0-9_-]+={0,2}$/;

function decode(value: string): Buffer | undefined {
  return base64url.test(value) ? Buffer.from(value.replace(/=+$/, ''), 'base64url') : undefined;
}

/**
 * The keys a browser gives for payload encryption (RFC 8291): p256dh, an uncompressed P-256 point
 * (65 bytes, 0x04 first, on the curve), and auth, a 16-byte secret. Anything else could never be
 * encrypted to and would fail every send.
 */
export function checkKeys(keys: { p256dh: string; auth: string }): SubscriptionProblem | undefined {
  const point = decode(keys.p256dh);
  if (point === undefined) return { field: 'body.keys.p256dh', message: 'body.keys.p256dh is not base64url' };
  if (point.length !== 65 || point[0] !== 0x04) {
    return {
      field: 'body.keys.p256dh',
      message: 'body.keys.p256dh must be a 65-byte uncompressed P-256 point',
    };
  }
  try {
    ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'uncompressed');
  } catch {
    return { field: 'body.keys.p256dh', message: 'body.keys.p256dh is not a point on P-256' };
  }
  const auth = decode(keys.auth);
  if (auth === undefined) return { field: 'body.keys.auth', message: 'body.keys.auth is not base64url' };
  if (auth.length !== 16) return { field: 'body.keys.auth', message: 'body.keys.auth must be 16 bytes' };
  return undefined;
}
