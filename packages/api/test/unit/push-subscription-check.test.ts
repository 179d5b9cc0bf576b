import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEFAULT_PUSH_SERVICE_HOSTS } from '../../src/index.ts';
import { checkEndpoint, checkKeys, hostAllowed } from '../../src/subscriptions/push-subscription-check.ts';

describe('push subscription checks', () => {
  it('matches exact hosts and wildcard subdomains only', () => {
    const allow = DEFAULT_PUSH_SERVICE_HOSTS;
    for (const host of [
      'fcm.googleapis.com',
      'FCM.googleapis.com',
      'db5p.notify.windows.com',
      'api.push.apple.com',
    ]) {
      assert.equal(hostAllowed(host, allow), true, host);
    }
    for (const host of [
      'notify.windows.com',
      'evilnotify.windows.com',
      'fcm.googleapis.com.evil',
      'push.apple.com',
      'localhost',
    ]) {
      assert.equal(hostAllowed(host, allow), false, host);
    }
  });

  it('wants https on an allowed host without credentials or odd ports', () => {
    const allow = DEFAULT_PUSH_SERVICE_HOSTS;
    assert.equal(checkEndpoint('https://fcm.googleapis.com/fcm/send/abc', allow), undefined);
    assert.equal(checkEndpoint('https://fcm.googleapis.com:443/fcm/send/abc', allow), undefined);
    for (const endpoint of [
      'http://fcm.googleapis.com/x',
      'https://x:y@fcm.googleapis.com/x',
      'https://fcm.googleapis.com:444/x',
      'https://[::1]/x',
      '//fcm.googleapis.com/x',
    ]) {
      assert.equal(checkEndpoint(endpoint, allow)?.field, 'body.endpoint', endpoint);
    }
  });

  it('lets an allowlist entry with a port allow exactly that host and port', () => {
    const allow = [...DEFAULT_PUSH_SERVICE_HOSTS, 'localhost:8443'];
    assert.equal(checkEndpoint('https://localhost:8443/push/abc', allow), undefined);
    assert.equal(checkEndpoint('https://LOCALHOST:8443/push/abc', allow), undefined);
    for (const endpoint of [
      'https://localhost/push/abc',
      'https://localhost:443/push/abc',
      'https://localhost:8444/push/abc',
      'https://127.0.0.1:8443/push/abc',
      'https://fcm.googleapis.com:8443/x',
      'http://localhost:8443/push/abc',
    ]) {
      assert.equal(checkEndpoint(endpoint, allow)?.field, 'body.endpoint', endpoint);
    }
    assert.match(checkEndpoint('https://localhost:8444/push/abc', allow)!.message, /localhost:8444/);
    assert.equal(hostAllowed('localhost', ['localhost:8443'], '8443'), true);
    assert.equal(hostAllowed('localhost', ['localhost:8443']), false);
    assert.equal(hostAllowed('localhost', ['localhost'], '8443'), false);
    assert.equal(hostAllowed('a.push.example', ['*.push.example:8443'], '8443'), true);
  });

  it('accepts a real P-256 public key and a 16-byte auth secret, padded or not', () => {
    const p256dh = createECDH('prime256v1').generateKeys().toString('base64url');
    const auth = randomBytes(16).toString('base64url');
    assert.deepEqual(checkKeys({ p256dh, auth }), { p256dh, auth });
    assert.deepEqual(checkKeys({ p256dh: `${p256dh}=`, auth: `${auth}==` }), { p256dh, auth });
  });

  it('refuses keys that are not base64url, the wrong size, compressed or off the curve', () => {
    const ecdh = createECDH('prime256v1');
    const point = ecdh.generateKeys();
    const auth = randomBytes(16).toString('base64url');
    const offCurve = Buffer.from(point);
    offCurve[64] = offCurve[64]! ^ 1;
    const cases: Array<[string, string, string]> = [
      ['!!', auth, 'body.keys.p256dh'],
      [ecdh.getPublicKey(undefined, 'compressed').toString('base64url'), auth, 'body.keys.p256dh'],
      [offCurve.toString('base64url'), auth, 'body.keys.p256dh'],
      [point.subarray(0, 64).toString('base64url'), auth, 'body.keys.p256dh'],
      [point.toString('base64url'), randomBytes(12).toString('base64url'), 'body.keys.auth'],
      [point.toString('base64url'), 'a+b/', 'body.keys.auth'],
    ];
    for (const [p256dh, a, field] of cases) {
      const result = checkKeys({ p256dh, auth: a });
      assert.equal('field' in result ? result.field : undefined, field, `${p256dh} ${a}`);
    }
  });
});
