import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createEndpointPolicy,
  DEFAULT_PUSH_HOSTS,
  EndpointRefusedError,
  guardedLookup,
  isForbiddenAddress,
} from '@hoot/dispatcher';

describe('isForbiddenAddress', () => {
  it('refuses loopback, private, link-local, unique-local, unspecified and mapped forms of them', () => {
    for (const address of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '[::1]',
      'fe80::1',
      'fe80::1%eth0',
      'febf::1',
      'fc00::1',
      'fd12:3456::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::10.0.0.1',
      'not-an-address',
    ]) {
      assert.equal(isForbiddenAddress(address), true, address);
    }
  });

  it('admits public addresses', () => {
    for (const address of [
      '142.250.74.106',
      '8.8.8.8',
      '172.32.0.1',
      '2a00:1450:4001:82b::200a',
      '::ffff:8.8.8.8',
    ]) {
      assert.equal(isForbiddenAddress(address), false, address);
    }
  });
});

describe('endpoint policy', () => {
  const policy = createEndpointPolicy({ allowlist: DEFAULT_PUSH_HOSTS, allowPrivateAddresses: false });
  const refusal = (endpoint: string) => {
    try {
      policy(endpoint);
    } catch (error) {
      assert.ok(error instanceof EndpointRefusedError);
      return error.reason;
    }
    return 'allowed';
  };

  it('admits the browsers’ push services', () => {
    assert.equal(refusal('https://fcm.googleapis.com/fcm/send/abc:def'), 'allowed');
    assert.equal(refusal('https://updates.push.services.mozilla.com/wpush/v2/gAAA'), 'allowed');
    assert.equal(refusal('https://web.push.apple.com/QGx'), 'allowed');
    assert.equal(refusal('https://wns2-par02p.notify.windows.com/w/?token=x'), 'allowed');
    assert.equal(policy('https://FCM.googleapis.com./fcm/send/x').origin, 'https://fcm.googleapis.com.');
  });

  it('refuses lookalike hosts, suffix tricks, plain http, IP literals and non-URLs', () => {
    assert.equal(refusal('https://fcm.googleapis.com.evil.example/fcm/send/x'), 'host_not_allowed');
    assert.equal(refusal('https://evilfcm.googleapis.com/x'), 'host_not_allowed');
    assert.equal(refusal('https://push.services.mozilla.com.evil.example/x'), 'host_not_allowed');
    assert.equal(refusal('https://evilpush.services.mozilla.com/x'), 'host_not_allowed');
    assert.equal(refusal('https://push.services.mozilla.com/x'), 'host_not_allowed');
    assert.equal(refusal('https://fcm.googleapis.com@169.254.169.254/x'), 'host_not_allowed');
    assert.equal(refusal('http://fcm.googleapis.com/fcm/send/x'), 'not_https');
    assert.equal(refusal('https://169.254.169.254/latest/meta-data'), 'host_not_allowed');
    assert.equal(refusal('not a url'), 'malformed');
  });

  it('refuses a forbidden IP literal even when the allowlist names it, unless private addresses are allowed', () => {
    const loose = createEndpointPolicy({ allowlist: '127.0.0.1,[::1]', allowPrivateAddresses: false });
    assert.throws(() => loose('https://127.0.0.1:8443/push/1'), /private, loopback or link-local/);
    assert.throws(() => loose('https://[::1]:8443/push/1'), /private, loopback or link-local/);
    const forTests = createEndpointPolicy({ allowlist: '127.0.0.1', allowPrivateAddresses: true });
    assert.equal(forTests('https://127.0.0.1:8443/push/1').host, '127.0.0.1');
  });
});

describe('guardedLookup', () => {
  const lookup = (host: string, all: boolean) =>
    new Promise<{ error: Error | null; address: unknown }>((resolve) => {
      guardedLookup(host, { all }, (error, address) => resolve({ error, address }));
    });

  it('refuses a name that resolves to loopback', async () => {
    const { error } = await lookup('localhost', false);
    assert.ok(error instanceof EndpointRefusedError);
    assert.match(error.message, /localhost resolves to (127\.0\.0\.1|::1)/);
    assert.ok((await lookup('localhost', true)).error instanceof EndpointRefusedError);
  });

  it('refuses IP literals handed to it as names', async () => {
    assert.ok((await lookup('169.254.169.254', false)).error instanceof EndpointRefusedError);
    assert.ok((await lookup('10.1.2.3', true)).error instanceof EndpointRefusedError);
  });

  it('passes public addresses through in the shape asked for', async () => {
    const one = await lookup('8.8.8.8', false);
    assert.equal(one.error, null);
    assert.equal(one.address, '8.8.8.8');
    const all = await lookup('8.8.8.8', true);
    assert.deepEqual(all.address, [{ address: '8.8.8.8', family: 4 }]);
  });
});
