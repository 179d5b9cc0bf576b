import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PingTokenClaims, signPingToken, verifyPingToken } from '../src/index.ts';

const secret = 'a'.repeat(40);
const older = 'b'.repeat(40);
const claims: PingTokenClaims = {
  notificationId: 'n-1',
  merchant: 'shop.example',
  source: 'campaign',
  sourceId: 42,
  subscriberId: 7,
  expiresAt: 2_000_000_000,
};
const now = 1_900_000_000_000;

describe('ping token', () => {
  it('round-trips its claims', () => {
    assert.deepEqual(verifyPingToken(signPingToken(claims, secret), [secret], now), { ok: true, claims });
  });

  it('carries an optional issue time', () => {
    const issued = { ...claims, issuedAt: 1_899_000_000 };
    assert.deepEqual(verifyPingToken(signPingToken(issued, secret), [secret], now), {
      ok: true,
      claims: issued,
    });
  });

  it('accepts a token signed with a previous secret still listed', () => {
    assert.equal(verifyPingToken(signPingToken(claims, older), [secret, older], now).ok, true);
  });

  it('rejects another secret, a changed claim and a changed signature', () => {
    const token = signPingToken(claims, secret);
    assert.deepEqual(verifyPingToken(token, [older], now), { ok: false, reason: 'bad_signature' });
    const [v, , sig] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify(['n-1', 'shop.example', 'campaign', 43, 7, 2_000_000_000]),
    ).toString('base64url');
    assert.deepEqual(verifyPingToken(`${v}.${forged}.${sig}`, [secret], now), {
      ok: false,
      reason: 'bad_signature',
    });
    const flipped = `${token.slice(0, -2)}${token.endsWith('AA') ? 'AB' : 'AA'}`;
    assert.equal(verifyPingToken(flipped, [secret], now).ok, false);
  });

  it('rejects an expired token', () => {
    const token = signPingToken({ ...claims, expiresAt: now / 1000 - 1 }, secret);
    assert.deepEqual(verifyPingToken(token, [secret], now), { ok: false, reason: 'expired' });
  });

  it('calls garbage malformed', () => {
    for (const token of ['', 'v1', 'v1..', 'v2.a.b', 'v1.%%%.x', `v1.abc.${'x'.repeat(44)}`, 'v1.a.b.c']) {
      assert.deepEqual(verifyPingToken(token, [secret], now), { ok: false, reason: 'malformed' }, token);
    }
  });

  it('refuses a short secret', () => {
    assert.throws(() => signPingToken(claims, 'short'), RangeError);
  });
});
