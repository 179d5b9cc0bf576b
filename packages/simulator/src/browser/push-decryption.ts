import type { ECDH } from 'node:crypto';
import ece from 'http_ece';

/** A browser's push keys (RFC 8291 section 3): its P-256 key pair and 16-byte auth secret. */
export interface BrowserPushKeys {
  ecdh: ECDH;
  auth: Buffer;
}

/**
 * Decrypts an `aes128gcm` push message body (RFC 8188 framing, RFC 8291 key derivation) with the
 * browser's private key and auth secret, as a browser does before its service worker sees the
 * data. Throws when the body was not encrypted for these keys or was altered.
 */
export function decryptPushMessage(body: Buffer, keys: BrowserPushKeys): Buffer {
  return ece.decrypt(body, { version: 'aes128gcm', privateKey: keys.ecdh, authSecret: keys.auth });
}
