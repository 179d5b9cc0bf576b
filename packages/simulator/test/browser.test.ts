import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  createSimulatedBrowser,
  pushSubscriptionJson,
  readPush,
  restoreBrowser,
  saveBrowser,
  subscriptionOf,
} from '@hoot/simulator';
import webpush from 'web-push';

describe('simulated browser', () => {
  it('gives the JSON of PushSubscription.toJSON(): endpoint, null expiration, base64url keys', () => {
    const browser = createSimulatedBrowser();
    const json = subscriptionOf(browser, 'https://localhost:8443/push/abc');
    assert.deepEqual(Object.keys(json), ['endpoint', 'expirationTime', 'keys']);
    assert.deepEqual(Object.keys(json.keys), ['p256dh', 'auth']);
    assert.equal(json.endpoint, 'https://localhost:8443/push/abc');
    assert.equal(json.expirationTime, null);
    assert.match(json.keys.p256dh, /^[A-Za-z0-9_-]{87}$/);
    assert.match(json.keys.auth, /^[A-Za-z0-9_-]{22}$/);
    const point = Buffer.from(json.keys.p256dh, 'base64url');
    assert.equal(point.length, 65);
    assert.equal(point[0], 4);
  });

  it('refuses keys no browser would have', () => {
    const point = createSimulatedBrowser().publicKey;
    assert.throws(
      () => pushSubscriptionJson('https://x/push/1', point.subarray(1), randomBytes(16)),
      /65-byte/,
    );
    assert.throws(() => pushSubscriptionJson('https://x/push/1', point, randomBytes(12)), /16 bytes/);
  });

  it('gives every browser its own key pair, auth secret and endpoint', () => {
    const [a, b] = [createSimulatedBrowser(), createSimulatedBrowser()];
    assert.notDeepEqual(a.publicKey, b.publicKey);
    assert.notDeepEqual(a.keys.auth, b.keys.auth);
    assert.notEqual(a.endpointId, b.endpointId);
  });

  it('comes back from its saved form with the same keys', () => {
    const browser = createSimulatedBrowser();
    const restored = restoreBrowser(saveBrowser(browser));
    assert.equal(restored.endpointId, browser.endpointId);
    assert.deepEqual(restored.publicKey, browser.publicKey);
    assert.deepEqual(restored.keys.auth, browser.keys.auth);
  });

  it("decrypts a push web-push encrypted for it, and only for it, and reads Hoot's payload", () => {
    const browser = createSimulatedBrowser();
    const { keys } = subscriptionOf(browser, 'https://localhost/push/1');
    const payload = {
      v: 1,
      title: 'Sale',
      url: 'https://shop.example/',
      token: 't',
      ping_url: 'http://x/v1/pings',
    };
    const { cipherText } = webpush.encrypt(keys.p256dh, keys.auth, JSON.stringify(payload), 'aes128gcm');
    assert.deepEqual(readPush(browser, cipherText), payload);
    assert.throws(() => readPush(createSimulatedBrowser(), cipherText));
    const foreign = webpush.encrypt(keys.p256dh, keys.auth, JSON.stringify({ hello: 'world' }), 'aes128gcm');
    assert.equal(
      readPush(browser, foreign.cipherText),
      null,
      'not a Hoot payload: ignored, as the service worker does',
    );
  });
});
