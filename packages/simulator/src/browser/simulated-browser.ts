import { createECDH, randomBytes } from 'node:crypto';
import type { NotificationPayload } from '@hoot/events';
import { type BrowserPushKeys, decryptPushMessage } from './push-decryption.ts';
import { type PushSubscriptionJson, pushSubscriptionJson } from './push-subscription-json.ts';

/** One simulated browser: its push subscription's endpoint id and keys, as a browser keeps them. */
export interface SimulatedBrowser {
  /** Unguessable id of its endpoint on the push service (`<origin>/push/<id>`). */
  endpointId: string;
  keys: BrowserPushKeys;
  /** Uncompressed P-256 public key, 65 bytes. */
  publicKey: Buffer;
}

/** How a browser is kept on disk: enough to rebuild its keys. */
export interface SavedBrowser {
  endpointId: string;
  /** The P-256 private key, base64url. */
  privateKey: string;
  /** The auth secret, base64url. */
  auth: string;
}

/** A new browser with its own P-256 key pair and 16-byte auth secret (RFC 8291 section 3). */
export function createSimulatedBrowser(): SimulatedBrowser {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  return {
    endpointId: randomBytes(16).toString('base64url'),
    keys: { ecdh, auth: randomBytes(16) },
    publicKey,
  };
}

/** Rebuilds a browser saved with `saveBrowser`. Throws when the saved keys are not valid. */
export function restoreBrowser(saved: SavedBrowser): SimulatedBrowser {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(saved.privateKey, 'base64url'));
  const auth = Buffer.from(saved.auth, 'base64url');
  if (auth.length !== 16) throw new Error(`browser ${saved.endpointId}: auth is not 16 bytes`);
  return { endpointId: saved.endpointId, keys: { ecdh, auth }, publicKey: ecdh.getPublicKey() };
}

export function saveBrowser(browser: SimulatedBrowser): SavedBrowser {
  return {
    endpointId: browser.endpointId,
    privateKey: browser.keys.ecdh.getPrivateKey().toString('base64url'),
    auth: browser.keys.auth.toString('base64url'),
  };
}

/** The browser's `PushSubscription.toJSON()` for an endpoint URL. */
export function subscriptionOf(browser: SimulatedBrowser, endpoint: string): PushSubscriptionJson {
  return pushSubscriptionJson(endpoint, browser.publicKey, browser.keys.auth);
}

/**
 * Decrypts a push for this browser and reads it as the service worker does: a JSON object with
 * `v: 1` and string `ping_url`, `token` and `url`, else null (the worker ignores such a push).
 * Throws when the body does not decrypt with this browser's keys.
 */
export function readPush(browser: SimulatedBrowser, body: Buffer): NotificationPayload | null {
  const plaintext = decryptPushMessage(body, browser.keys);
  let payload: Partial<NotificationPayload> | null;
  try {
    payload = JSON.parse(plaintext.toString('utf8'));
  } catch {
    return null;
  }
  if (payload === null || typeof payload !== 'object' || payload.v !== 1) return null;
  if (typeof payload.ping_url !== 'string' || typeof payload.token !== 'string') return null;
  if (typeof payload.url !== 'string') return null;
  return payload as NotificationPayload;
}
