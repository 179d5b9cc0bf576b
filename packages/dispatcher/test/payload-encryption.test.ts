// The push payload encryption is web-push's, through http_ece, which `patches/http_ece@1.2.0.patch`
// changes only in how keys reach Node's HMAC and AES (KeyObjects rather than Buffers). These tests
// hold that library to RFC 8291 as it runs in the dispatcher: the RFC's own example byte for byte,
// and a receiver written here from the RFC reading what web-push sends.
import assert from 'node:assert/strict';
import { createDecipheriv, createECDH, type ECDH, hkdfSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import webpush from 'web-push';

interface Ece {
  encrypt(
    plaintext: Buffer,
    params: { version: 'aes128gcm'; privateKey: ECDH; dh: string; authSecret: string; salt: string },
  ): Buffer;
}
/** The http_ece module web-push itself loads. */
const ece = createRequire(createRequire(import.meta.url).resolve('web-push'))('http_ece') as Ece;

/** RFC 8291, Appendix A. */
const rfc8291 = {
  plaintext: 'When I grow up, I want to be a watermelon',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  body:
    'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_' +
    'yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};

/**
 * A user agent's side of RFC 8291 §3.3–3.4 over one RFC 8188 record: the header (salt, record
 * size, sender key), the shared secret, HKDF to the content key and nonce, AES-128-GCM, and the
 * 0x02 delimiter of a last record. Throws when the tag does not verify.
 */
function receive(body: Buffer, uaPrivate: Buffer, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const keyLength = body[20]!;
  const asPublic = body.subarray(21, 21 + keyLength);
  const ua = createECDH('prime256v1');
  ua.setPrivateKey(uaPrivate);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ua.computeSecret(asPublic), authSecret, info, 32));
  const derive = (label: string, length: number) =>
    Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(`Content-Encoding: ${label}\0`), length));
  const record = body.subarray(21 + keyLength);
  const decipher = createDecipheriv('aes-128-gcm', derive('aes128gcm', 16), derive('nonce', 12));
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  const delimiter = padded.lastIndexOf(2);
  assert.ok(delimiter >= 0 && padded.subarray(delimiter + 1).every((b) => b === 0), 'a last record');
  return padded.subarray(0, delimiter);
}

describe('push payload encryption (web-push, RFC 8291 aes128gcm)', () => {
  it("reproduces RFC 8291's example body byte for byte", () => {
    const as = createECDH('prime256v1');
    as.setPrivateKey(Buffer.from(rfc8291.asPrivate, 'base64url'));
    const body = ece.encrypt(Buffer.from(rfc8291.plaintext), {
      version: 'aes128gcm',
      privateKey: as,
      dh: rfc8291.uaPublic,
      authSecret: rfc8291.auth,
      salt: rfc8291.salt,
    });
    assert.equal(body.toString('base64url'), rfc8291.body);
  });

  it('sends what a user agent following the RFC decrypts, with a fresh sender key and salt each time', () => {
    const uaPrivate = Buffer.from(rfc8291.uaPrivate, 'base64url');
    const auth = Buffer.from(rfc8291.auth, 'base64url');
    const plaintext = Buffer.from(JSON.stringify({ title: 'Sale', body: 'é'.repeat(500) }));
    const first = webpush.encrypt(rfc8291.uaPublic, rfc8291.auth, plaintext, 'aes128gcm').cipherText;
    const second = webpush.encrypt(rfc8291.uaPublic, rfc8291.auth, plaintext, 'aes128gcm').cipherText;
    assert.deepEqual(receive(first, uaPrivate, auth), plaintext);
    assert.deepEqual(receive(second, uaPrivate, auth), plaintext);
    assert.notDeepEqual(first.subarray(0, 16), second.subarray(0, 16), 'a new salt per message');
    assert.notDeepEqual(first.subarray(21, 86), second.subarray(21, 86), 'a new sender key per message');
    const tampered = Buffer.from(first);
    tampered[tampered.length - 20]! ^= 1;
    assert.throws(() => receive(tampered, uaPrivate, auth));
  });
});
