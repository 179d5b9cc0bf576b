import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiHarness, newVapidPublicKey, startApi } from './api-harness.ts';
import { browserSubscription } from './browser-subscription.ts';

describe('subscriptions', () => {
  let h: ApiHarness;
  let merchant: string;
  before(async () => {
    h = await startApi({ VAPID_PUBLIC_KEY: newVapidPublicKey() });
    merchant = (await h.newMerchant()).id;
  });
  after(async () => {
    await h.close();
  });

  const subscribe = (payload: unknown, shop = merchant) =>
    h.app.inject({ method: 'POST', url: `/v1/merchants/${shop}/subscriptions`, payload: payload as object });

  it('subscribes a browser idempotently, unsubscribes it, and takes it back', async () => {
    const sub = browserSubscription();
    const first = await subscribe(sub);
    assert.equal(first.statusCode, 201, first.body);
    const id = first.json().subscriber_id;
    assert.deepEqual(
      { ...(first.json() as object), proof: undefined },
      { subscriber_id: id, merchant, status: 'created', proof: undefined },
    );
    const again = await subscribe(sub);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().status, 'renewed');
    assert.equal(again.json().subscriber_id, id);
    assert.equal(again.json().proof, first.json().proof, 'the same proof for the same subscriber');

    const url = `/v1/merchants/${merchant}/subscriptions/unsubscribe`;
    const gone = await h.app.inject({ method: 'POST', url, payload: { endpoint: sub.endpoint } });
    assert.equal(gone.statusCode, 200);
    assert.equal(gone.json().status, 'unsubscribed');
    const goneAgain = await h.app.inject({ method: 'POST', url, payload: { endpoint: sub.endpoint } });
    assert.equal(goneAgain.statusCode, 200, 'unsubscribe is idempotent');
    const row = await h.pool.query('SELECT unsubscribed_at FROM subscribers WHERE id = $1', [id]);
    assert.notEqual(row.rows[0].unsubscribed_at, null);

    const back = await subscribe(sub);
    assert.equal(back.json().subscriber_id, id);
    const after = await h.pool.query('SELECT unsubscribed_at, p256dh FROM subscribers WHERE id = $1', [id]);
    assert.equal(after.rows[0].unsubscribed_at, null);
    assert.equal(after.rows[0].p256dh, sub.keys.p256dh);
  });

  it('accepts every default push service, wildcard subdomains included', async () => {
    for (const host of [
      'updates.push.services.mozilla.com',
      'wns2-par02p.notify.windows.com',
      'web.push.apple.com',
      'api.push.apple.com',
    ]) {
      const res = await subscribe(browserSubscription(host));
      assert.equal(res.statusCode, 201, `${host}: ${res.body}`);
    }
  });

  it('refuses endpoints off the allowlist and bad keys with 400 naming the field', async () => {
    const good = browserSubscription();
    const cases: Array<[unknown, string]> = [
      [{ ...good, endpoint: 'http://fcm.googleapis.com/fcm/send/x' }, 'body.endpoint'],
      [{ ...good, endpoint: 'https://evil.example/fcm/send/x' }, 'body.endpoint'],
      [{ ...good, endpoint: 'https://fcm.googleapis.com.evil.example/x' }, 'body.endpoint'],
      [{ ...good, endpoint: 'https://notify.windows.com.evil.example/x' }, 'body.endpoint'],
      [{ ...good, endpoint: 'https://127.0.0.1/x' }, 'body.endpoint'],
      [{ ...good, endpoint: 'https://user:pw@fcm.googleapis.com/x' }, 'body.endpoint'],
      [{ ...good, endpoint: 'https://fcm.googleapis.com:8443/x' }, 'body.endpoint'],
      [{ ...good, endpoint: 'not a url' }, 'body.endpoint'],
      [{ ...good, keys: { ...good.keys, p256dh: 'not base64!' } }, 'body.keys.p256dh'],
      [
        { ...good, keys: { ...good.keys, p256dh: Buffer.alloc(65, 4).toString('base64url') } },
        'body.keys.p256dh',
      ],
      [{ ...good, keys: { ...good.keys, p256dh: good.keys.auth } }, 'body.keys.p256dh'],
      [{ ...good, keys: { ...good.keys, auth: Buffer.alloc(15).toString('base64url') } }, 'body.keys.auth'],
      [{ ...good, keys: { p256dh: good.keys.p256dh } }, 'body.keys.auth'],
      [{ keys: good.keys }, 'body.endpoint'],
      [{ ...good, endpoint: 42 }, 'body.endpoint'],
    ];
    for (const [payload, field] of cases) {
      const res = await subscribe(payload);
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
      assert.equal(res.json().field, field, JSON.stringify(payload));
    }
    const badMerchant = await subscribe(good, 'Not_A_Handle');
    assert.equal(badMerchant.statusCode, 400);
    assert.equal(badMerchant.json().field, 'params.merchant');
  });

  it('answers 404 for an unknown merchant or subscription', async () => {
    const res = await subscribe(browserSubscription(), 'no-such-shop.example');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, 'merchant_not_found');
    const unknown = await h.app.inject({
      method: 'POST',
      url: `/v1/merchants/${merchant}/subscriptions/unsubscribe`,
      payload: { endpoint: 'https://fcm.googleapis.com/fcm/send/never-seen' },
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().field, 'body.endpoint');
  });

  it('serves the service worker and the subscribe snippet as JavaScript', async () => {
    const sw = await h.app.inject({ method: 'GET', url: '/v1/sdk/service-worker.js' });
    assert.equal(sw.statusCode, 200);
    assert.match(sw.headers['content-type'] as string, /^application\/javascript/);
    assert.match(sw.body, /addEventListener\('push'/);
    const snippet = await h.app.inject({ method: 'GET', url: `/v1/merchants/${merchant}/subscribe.js` });
    assert.equal(snippet.statusCode, 200);
    assert.match(snippet.headers['content-type'] as string, /^application\/javascript/);
    assert.ok(snippet.body.includes(JSON.stringify(merchant)));
    assert.doesNotThrow(() => new Function(snippet.body));
  });
});
