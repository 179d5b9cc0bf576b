import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVapidVerifier } from '@hoot/simulator';
import webpush from 'web-push';

const keys = webpush.generateVAPIDKeys();
const origin = 'https://localhost:8443';
const header = (audience = origin, expiration?: number, subject = 'mailto:ops@shop.example') =>
  webpush.getVapidHeaders(audience, subject, keys.publicKey, keys.privateKey, 'aes128gcm', expiration)
    .Authorization;

describe('VAPID verification (RFC 8292)', () => {
  it("accepts web-push's header for its own origin and names the signer", () => {
    const verifier = createVapidVerifier();
    const authorization = header();
    assert.deepEqual(verifier.verify(authorization, origin), {
      sub: 'mailto:ops@shop.example',
      k: keys.publicKey,
    });
    verifier.verify(authorization, origin);
    assert.equal(verifier.signaturesVerified(), 1, 'a header already verified is not checked again');
    assert.throws(
      () => verifier.verify(authorization, 'https://other.example'),
      /aud/,
      'nor for another audience',
    );
  });

  it('refuses another audience, an expired or far-future JWT, a foreign key and a tampered signature', () => {
    const verifier = createVapidVerifier();
    const now = Math.floor(Date.now() / 1000);
    assert.throws(() => verifier.verify(header('https://fcm.googleapis.com'), origin), /aud/);
    assert.throws(() => verifier.verify(undefined, origin), /no Authorization/);
    assert.throws(() => verifier.verify('Bearer abc', origin), /vapid t=/);
    const good = header();
    const otherKey = webpush.generateVAPIDKeys().publicKey;
    assert.throws(() => verifier.verify(good.replace(/k=.*$/, `k=${otherKey}`), origin), /signature/);
    const tampered = good.replace(/\.([A-Za-z0-9_-])([A-Za-z0-9_-]*), k=/, (_m, c: string, rest: string) => {
      return `.${c === 'A' ? 'B' : 'A'}${rest}, k=`;
    });
    assert.throws(() => verifier.verify(tampered, origin), /signature/);
    const later = createVapidVerifier({ now: () => (now + 48 * 3600) * 1000 });
    assert.throws(() => later.verify(header(origin, now + 3600), origin), /expired/);
    const earlier = createVapidVerifier({ now: () => (now - 48 * 3600) * 1000 });
    assert.throws(() => earlier.verify(header(origin, now + 3600), origin), /24 h/);
  });
});
