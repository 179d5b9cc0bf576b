import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Proof that a browser is a subscriber: an HMAC-SHA256 over the merchant and subscriber id,
 * issued when the browser subscribes and kept by its service worker (IndexedDB). When the push
 * service renews the subscription (Push API `pushsubscriptionchange`), the worker presents it with
 * the new subscription, and the api links that subscription to the same subscriber; without it,
 * anyone knowing a subscriber id could take its notifications.
 *
 * Keyed with `PING_TOKEN_SECRETS` under a label of its own, so a proof is never a valid ping
 * token nor the reverse. Any listed secret verifies and the first signs; every subscribe and
 * renewal hands out a proof signed with the first, so browsers that come back move to a new
 * secret. A browser silent since its secret was dropped has its renewal refused (403) and
 * subscribes afresh, as a new subscriber.
 */
const LABEL = 'hoot subscriber proof v1';

function mac(secret: string, merchant: string, subscriberId: number): Buffer {
  return createHmac('sha256', secret).update(`${LABEL}\n${merchant}\n${subscriberId}`).digest();
}

/** The proof for a subscriber, in base64url (43 characters). */
export function signSubscriberProof(secret: string, merchant: string, subscriberId: number): string {
  return mac(secret, merchant, subscriberId).toString('base64url');
}

/** Whether `proof` was issued for this merchant's subscriber under any of `secrets` (constant time). */
export function verifySubscriberProof(
  proof: string,
  secrets: readonly string[],
  merchant: string,
  subscriberId: number,
): boolean {
  const given = Buffer.from(proof, 'base64url');
  if (given.length !== 32 || given.toString('base64url') !== proof) return false;
  let valid = false;
  for (const secret of secrets) {
    if (timingSafeEqual(given, mac(secret, merchant, subscriberId))) valid = true;
  }
  return valid;
}
