import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkSubscription } from '../../src/subscriptions/push-subscription-check.ts';
import { signSubscriberProof, verifySubscriberProof } from '../../src/subscriptions/subscriber-proof.ts';
import { decodeKey, normaliseEndpoint } from '../../src/subscriptions/subscription-identity.ts';

const endpointOf = (raw: string) => {
  const result = normaliseEndpoint(raw);
  return 'endpoint' in result ? result.endpoint : `refused: ${result.message}`;
};

describe('endpoint normalisation', () => {
  const canonical = 'https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH-x_Y?a=B&c=%2F';

  it('lower-cases scheme and host and drops the default port, keeping path and query byte for byte', () => {
    for (const variant of [
      canonical,
      'https://FCM.GOOGLEAPIS.COM/fcm/send/dQw4w9WgXcQ:APA91bH-x_Y?a=B&c=%2F',
      'HTTPS://Fcm.GoogleApis.com:443/fcm/send/dQw4w9WgXcQ:APA91bH-x_Y?a=B&c=%2F',
      'https://fcm.googleapis.com:0443/fcm/send/dQw4w9WgXcQ:APA91bH-x_Y?a=B&c=%2F',
      'https://fcm.googleapis.com:/fcm/send/dQw4w9WgXcQ:APA91bH-x_Y?a=B&c=%2F',
    ]) {
      assert.equal(endpointOf(variant), canonical, variant);
    }
    // The path and query name the subscription at the push service: case matters there.
    assert.equal(
      endpointOf('https://fcm.googleapis.com/FCM/send/DQW4?A=b'),
      'https://fcm.googleapis.com/FCM/send/DQW4?A=b',
    );
    assert.equal(endpointOf('https://fcm.googleapis.com/a%2fb'), 'https://fcm.googleapis.com/a%2fb');
    assert.equal(endpointOf('https://localhost:8443/push/x'), 'https://localhost:8443/push/x');
  });

  it('refuses what is not a push URL, naming the field and the character', () => {
    const ellipsis = normaliseEndpoint('https://fcm.googleapis.com/fcm/send/abc…');
    assert.ok(!('endpoint' in ellipsis));
    assert.equal(ellipsis.field, 'body.endpoint');
    assert.match(ellipsis.message, /U\+2026 at character 40/);
    for (const raw of [
      'https://fcm.googleapis.com/fcm/send/abc def',
      ' https://fcm.googleapis.com/fcm/send/abc',
      'https://fcm.googleapis.com/fcm/send/abc\n',
      'https://fcm.googleapis.com/fcm/send/abc\t',
      'https://fcm.googleapis.com/fcm/send/abc\u00a0',
      'https://fcm.googleapis.com/fcm/send/äbc',
      'https://fcm.googleapis.com/fcm/send/abc#frag',
      'https://fcm.googleapis.com/fcm/send/abc%2',
      'https://fcm.googleapis.com/fcm/send/"abc"',
      'https://fcm.googleapis.com/fcm/send/../x',
      'https://fcm.googleapis.com?x=1',
      'https://user@fcm.googleapis.com/x',
      'https:///x',
      'fcm.googleapis.com/fcm/send/abc',
      'https://fcm.googleapis.com/fcm/send/abc\\x',
    ]) {
      assert.match(endpointOf(raw), /^refused: body\.endpoint /, JSON.stringify(raw));
    }
  });
});

describe('key decoding', () => {
  const point = createECDH('prime256v1').generateKeys();
  const auth = randomBytes(16);

  it('accepts base64url and standard base64, padded or not, as the same bytes', () => {
    for (const bytes of [point, auth, Buffer.from([0xfb, 0xff, 0xbf])]) {
      const url = bytes.toString('base64url');
      const std = bytes.toString('base64');
      for (const form of [
        url,
        std,
        std.replace(/=+$/, ''),
        `${url}${'='.repeat((4 - (url.length % 4)) % 4)}`,
      ]) {
        assert.deepEqual(decodeKey(form), bytes, form);
      }
    }
  });

  it('refuses mixed alphabets, wrong padding and other characters', () => {
    for (const bad of ['ab-+', 'a_b/', 'abc==', 'abcd=', 'a', 'ab c', 'ab.c', '', '====']) {
      assert.equal(decodeKey(bad), undefined, bad);
    }
  });

  it('a subscription in standard base64 with padding is stored as the same base64url keys', () => {
    const allow = ['fcm.googleapis.com'];
    const browser = {
      endpoint: 'https://FCM.googleapis.com:443/fcm/send/x',
      expirationTime: 1_900_000_000_000,
      keys: { p256dh: point.toString('base64'), auth: auth.toString('base64') },
    };
    assert.deepEqual(checkSubscription(browser, allow), {
      endpoint: 'https://fcm.googleapis.com/fcm/send/x',
      p256dh: point.toString('base64url'),
      auth: auth.toString('base64url'),
      expirationTime: new Date(1_900_000_000_000),
    });
    for (const expirationTime of [-1, 1.5, Number.NaN, 9e15]) {
      const result = checkSubscription({ ...browser, expirationTime }, allow, 'body.subscription');
      assert.equal(
        'field' in result && result.field,
        'body.subscription.expirationTime',
        String(expirationTime),
      );
    }
  });
});

describe('subscriber proof', () => {
  const secret = randomBytes(32).toString('base64url');
  const old = randomBytes(32).toString('base64url');

  it('verifies for its merchant and subscriber only, under any listed secret', () => {
    const proof = signSubscriberProof(secret, 'shop.example', 42);
    assert.match(proof, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(verifySubscriberProof(proof, [secret], 'shop.example', 42), true);
    assert.equal(verifySubscriberProof(proof, [old, secret], 'shop.example', 42), true, 'rotation');
    assert.equal(verifySubscriberProof(proof, [old], 'shop.example', 42), false);
    assert.equal(verifySubscriberProof(proof, [secret], 'shop.example', 43), false);
    assert.equal(verifySubscriberProof(proof, [secret], 'other.example', 42), false);
    assert.equal(
      verifySubscriberProof(
        `${proof.slice(0, -1)}${proof.endsWith('A') ? 'B' : 'A'}`,
        [secret],
        'shop.example',
        42,
      ),
      false,
    );
    assert.equal(verifySubscriberProof('short', [secret], 'shop.example', 42), false);
  });
});
