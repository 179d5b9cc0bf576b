import { ECDH } from 'node:crypto';
import { decodeKey, normaliseEndpoint, normaliseKey } from './subscription-identity.ts';

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
 * than 443 is refused unless an allowlist entry names that host and port. Takes the endpoint as
 * given or normalised; the form is checked by `normaliseEndpoint`.
 */
export function checkEndpoint(
  endpoint: string,
  allowlist: readonly string[],
  field = 'body.endpoint',
): SubscriptionProblem | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { field, message: `${field} is not a URL` };
  }
  if (url.protocol !== 'https:') return { field, message: `${field} must be https` };
  if (url.username !== '' || url.password !== '') {
    return { field, message: `${field} must not carry credentials` };
  }
  // URL drops the scheme's default port, so https://host:443/ has port ''.
  if (url.port !== '' && !hostAllowed(url.hostname, allowlist, url.port)) {
    return {
      field,
      message: `${field} must not carry a port (${url.port}) unless the allowlist names ${url.hostname}:${url.port}`,
    };
  }
  if (!hostAllowed(url.hostname, allowlist, url.port)) {
    return { field, message: `${field} host ${url.hostname} is not a known push service` };
  }
  return undefined;
}

/**
 * The keys a browser gives for payload encryption (RFC 8291): p256dh, an uncompressed P-256 point
 * (65 bytes, 0x04 first, on the curve), and auth, a 16-byte secret, each in base64url or standard
 * base64, padded or not. Anything else could never be encrypted to and would fail every send.
 * Answers the keys in their stored form (base64url, unpadded), or the problem.
 */
export function checkKeys(
  keys: { p256dh: string; auth: string },
  prefix = 'body.keys',
): { p256dh: string; auth: string } | SubscriptionProblem {
  const p256dhField = `${prefix}.p256dh`;
  const authField = `${prefix}.auth`;
  const point = decodeKey(keys.p256dh);
  if (point === undefined)
    return { field: p256dhField, message: `${p256dhField} is not base64url or base64` };
  if (point.length !== 65 || point[0] !== 0x04) {
    return { field: p256dhField, message: `${p256dhField} must be a 65-byte uncompressed P-256 point` };
  }
  try {
    ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'uncompressed');
  } catch {
    return { field: p256dhField, message: `${p256dhField} is not a point on P-256` };
  }
  const auth = decodeKey(keys.auth);
  if (auth === undefined) return { field: authField, message: `${authField} is not base64url or base64` };
  if (auth.length !== 16) return { field: authField, message: `${authField} must be 16 bytes` };
  return { p256dh: normaliseKey(point), auth: normaliseKey(auth) };
}

/** A browser's PushSubscription as `toJSON()` gives it (Push API). */
export interface PushSubscriptionJson {
  endpoint: string;
  /** Milliseconds since the epoch when the subscription ends, or null when it has no end. */
  expirationTime?: number | null | undefined;
  keys: { p256dh: string; auth: string };
}

/** A subscription in the form it is stored: normalised endpoint and keys, expiration as a Date. */
export interface CheckedSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
  expirationTime: Date | null;
}

/** Latest expirationTime taken: Date's own limit (8.64e15 ms). */
const MAX_TIME_MS = 8.64e15;

/**
 * Checks and normalises a PushSubscription: the endpoint's form, then its host against the
 * allowlist, then the keys, then `expirationTime` (ms since the epoch, a non-negative integer, or
 * null). `prefix` names the object in the request (`body`, `body.subscription`) for the field of
 * a refusal.
 */
export function checkSubscription(
  subscription: PushSubscriptionJson,
  allowlist: readonly string[],
  prefix = 'body',
): CheckedSubscription | SubscriptionProblem {
  const normalised = normaliseEndpoint(subscription.endpoint, `${prefix}.endpoint`);
  if (!('endpoint' in normalised)) return normalised;
  const endpointProblem = checkEndpoint(normalised.endpoint, allowlist, `${prefix}.endpoint`);
  if (endpointProblem !== undefined) return endpointProblem;
  const keys = checkKeys(subscription.keys, `${prefix}.keys`);
  if ('field' in keys) return keys;
  const expiration = subscription.expirationTime ?? null;
  if (
    expiration !== null &&
    !(Number.isInteger(expiration) && expiration >= 0 && expiration <= MAX_TIME_MS)
  ) {
    return {
      field: `${prefix}.expirationTime`,
      message: `${prefix}.expirationTime must be milliseconds since the epoch, or null`,
    };
  }
  return {
    endpoint: normalised.endpoint,
    ...keys,
    expirationTime: expiration === null ? null : new Date(expiration),
  };
}
