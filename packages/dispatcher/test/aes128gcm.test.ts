import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { encryptAes128gcm, subscriptionKeys } from '@hoot/dispatcher';
import ece from 'http_ece';
import webpush from 'web-push';

function browser() {
  const ecdh = createECDH('prime256v1');
  return {
    ecdh,
    p256dh: ecdh.generateKeys().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
}

describe('aes128gcm push encryption', () => {
  it('produces what http_ece (the decoder web-push is built on) decrypts with the browser’s keys', () => {
    const ua = browser();
    for (const size of [0, 1, 600, 3993]) {
      const plaintext = randomBytes(size);
      const body = encryptAes128gcm(subscriptionKeys(ua.p256dh, ua.auth), plaintext);
      const decrypted = ece.decrypt(body, { version: 'aes128gcm', privateKey: ua.ecdh, authSecret: ua.auth });
      assert.ok(decrypted.equals(plaintext), `size ${size}`);
      assert.equal(body.length, plaintext.length + 86 + 17, 'header 86 bytes, delimiter and tag 17');
    }
  });

  it('uses a fresh sender key and salt for every message', () => {
    const ua = browser();
    const keys = subscriptionKeys(ua.p256dh, ua.auth);
    const a = encryptAes128gcm(keys, Buffer.from('same'));
    const b = encryptAes128gcm(keys, Buffer.from('same'));
    assert.notDeepEqual(a.subarray(0, 16), b.subarray(0, 16));
    assert.notDeepEqual(a.subarray(21, 86), b.subarray(21, 86));
  });

  it('has the same layout as web-push’s own encrypt: salt, record size 4096, 65-byte key id', () => {
    const ua = browser();
    const ours = encryptAes128gcm(subscriptionKeys(ua.p256dh, ua.auth), Buffer.from('hello'));
    const theirs = webpush.encrypt(ua.p256dh, ua.auth, Buffer.from('hello'), 'aes128gcm').cipherText;
    assert.equal(ours.length, theirs.length);
    assert.equal(ours.readUInt32BE(16), theirs.readUInt32BE(16));
    assert.equal(ours[20], 65);
    assert.equal(theirs[20], 65);
  });

  it('refuses malformed subscription keys', () => {
    assert.throws(() => subscriptionKeys('AAAA', randomBytes(16).toString('base64url')), /65-byte/);
    assert.throws(() => subscriptionKeys(browser().p256dh, 'AAAA'), /16 bytes/);
  });
});
