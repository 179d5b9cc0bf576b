import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NewMerchant } from '../../src/index.ts';
import { type ApiHarness, bearer, startApi } from './api-harness.ts';

const draft = { title: 'Spring sale', body: 'Boots at half price', url: 'https://shop.example/boots' };

/** The session cookie's `name=value` from a Set-Cookie header, and the header itself. */
function sessionCookie(setCookie: string | string[] | undefined): { pair: string; header: string } {
  const header = [setCookie ?? []].flat().find((c) => c.startsWith('hoot_session='));
  assert.ok(header, 'no hoot_session cookie was set');
  return { pair: header.split(';')[0]!, header };
}

/** Reads server-sent events from a streaming fetch until `until` says stop or time runs out. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  until: (events: Array<{ event: string; data: unknown }>) => boolean,
  timeoutMs: number,
): Promise<Array<{ event: string; data: unknown }>> {
  const events: Array<{ event: string; data: unknown }> = [];
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(events)) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<{ done: true; value: undefined }>((resolve) =>
          setTimeout(() => resolve({ done: true, value: undefined }), left),
        ),
      ]);
      if (chunk.done) break;
      buffer += chunk.value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return events;
}

describe('dashboard api: sessions, CSRF, live campaign events, subscriber statistics', () => {
  let h: ApiHarness;
  let alice: NewMerchant;
  let bob: NewMerchant;
  let base: string;
  before(async () => {
    h = await startApi({ TRUST_PROXY: 'true', LIVE_KEEPALIVE_MS: '1000' });
    alice = await h.newMerchant();
    bob = await h.newMerchant();
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await h.close();
  });

  const signIn = async (merchant: NewMerchant, headers: Record<string, string> = {}) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/session',
      headers,
      payload: { api_key: merchant.apiKey },
    });
    assert.equal(res.statusCode, 200, res.body);
    const { pair, header } = sessionCookie(res.headers['set-cookie']);
    return { cookie: pair, setCookie: header, csrf: res.json().csrf_token as string, body: res.json() };
  };

  it('signs in with the API key: an HttpOnly SameSite=Strict cookie, Secure only over https', async () => {
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { api_key: 'hoot_sk_wrong' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().field, 'body.api_key');
    assert.equal(wrong.headers['set-cookie'], undefined);

    const plain = await signIn(alice);
    assert.deepEqual(plain.body.merchant, { id: alice.id, name: `Shop ${alice.id}`, time_zone: 'UTC' });
    assert.match(plain.setCookie, /; HttpOnly/i);
    assert.match(plain.setCookie, /; SameSite=Strict/i);
    assert.doesNotMatch(plain.setCookie, /; Secure/i);
    const secure = await signIn(alice, { 'x-forwarded-proto': 'https' });
    assert.match(secure.setCookie, /; Secure/i);
    assert.match(secure.setCookie, /; SameSite=Strict/i);
    const stored = await h.pool.query('SELECT sid_hash FROM dashboard_sessions WHERE merchant_id = $1', [
      alice.id,
    ]);
    assert.equal(stored.rowCount, 2);
    const sid = decodeURIComponent(plain.cookie.split('=')[1]!).split('.')[0]!;
    assert.ok(!stored.rows.some((r) => r.sid_hash.toString('utf8').includes(sid)), 'only a hash is stored');
  });

  it('reads with the cookie; writes with it need the CSRF token, writes with the key do not', async () => {
    const { cookie, csrf } = await signIn(alice);
    const list = await h.app.inject({ url: '/v1/campaigns', headers: { cookie } });
    assert.equal(list.statusCode, 200, list.body);

    const forged = await h.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { cookie },
      payload: draft,
    });
    assert.equal(forged.statusCode, 403);
    assert.equal(forged.json().field, 'headers.x-csrf-token');
    const wrongToken = await h.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { cookie, 'x-csrf-token': 'not-the-token' },
      payload: draft,
    });
    assert.equal(wrongToken.statusCode, 403);
    const made = await h.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: draft,
    });
    assert.equal(made.statusCode, 201, made.body);
    const withKey = await h.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: bearer(alice.apiKey),
      payload: draft,
    });
    assert.equal(withKey.statusCode, 201);
    // The token of one session is worthless in another.
    const other = await signIn(alice);
    const crossed = await h.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { cookie: other.cookie, 'x-csrf-token': csrf },
      payload: draft,
    });
    assert.equal(crossed.statusCode, 403);
  });

  it("never opens another merchant's campaign through a session", async () => {
    const bobs = await h.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: bearer(bob.apiKey),
      payload: draft,
    });
    const { cookie } = await signIn(alice);
    const res = await h.app.inject({ url: `/v1/campaigns/${bobs.json().id}`, headers: { cookie } });
    assert.equal(res.statusCode, 403);
  });

  it('signs out with the CSRF token; the cookie is dead afterwards, as is a session of a revoked key', async () => {
    const { cookie, csrf } = await signIn(alice);
    const noToken = await h.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie } });
    assert.equal(noToken.statusCode, 403);
    const out = await h.app.inject({
      method: 'DELETE',
      url: '/v1/session',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    assert.equal(out.statusCode, 204);
    assert.equal((await h.app.inject({ url: '/v1/campaigns', headers: { cookie } })).statusCode, 401);
    assert.equal((await h.app.inject({ url: '/v1/session', headers: { cookie } })).statusCode, 401);

    const revoked = await h.newMerchant();
    const session = await signIn(revoked);
    assert.equal(
      (await h.app.inject({ url: '/v1/session', headers: { cookie: session.cookie } })).statusCode,
      200,
    );
    await h.pool.query('UPDATE merchant_api_keys SET revoked_at = now() WHERE merchant_id = $1', [
      revoked.id,
    ]);
    const after = await h.app.inject({ url: '/v1/campaigns', headers: { cookie: session.cookie } });
    assert.equal(after.statusCode, 401);
  });

  it('pushes a campaign whose report the sink changed to that merchant’s open pages only', async () => {
    const campaign = (
      await h.app.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: bearer(alice.apiKey),
        payload: draft,
      })
    ).json();
    const { cookie } = await signIn(alice);
    const bobSession = await signIn(bob);
    const alicePage = await fetch(`${base}/v1/events`, { headers: { cookie } });
    const bobPage = await fetch(`${base}/v1/events`, { headers: { cookie: bobSession.cookie } });
    assert.equal(alicePage.status, 200);
    assert.match(alicePage.headers.get('content-type') ?? '', /^text\/event-stream/);
    const started = Date.now();
    const upsert = async (impressions: number) =>
      h.pool.query(
        `INSERT INTO campaign_reports (merchant_id, source, source_id, sent, impressions, clicks, updated_at)
         VALUES ($1, 'campaign', $2, 10, $3, 1, now())
         ON CONFLICT (merchant_id, source, source_id) DO UPDATE SET impressions = EXCLUDED.impressions`,
        [alice.id, campaign.id, impressions],
      );
    const aliceEvents = readEvents(
      alicePage.body!,
      (events) =>
        events.some(
          (e) =>
            e.event === 'campaign' &&
            (e.data as { report: { impressions: number } }).report.impressions === 7,
        ),
      5000,
    );
    const bobEvents = readEvents(bobPage.body!, () => false, 1500);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await upsert(4);
    await upsert(7);
    const seen = await aliceEvents;
    const elapsed = Date.now() - started;
    assert.equal(seen[0]?.event, 'ready');
    const updates = seen.filter((e) => e.event === 'campaign') as Array<{
      data: { id: number; report: { sent: number; impressions: number; clicks: number } };
    }>;
    assert.ok(updates.length >= 1, `no campaign event in ${elapsed} ms: ${JSON.stringify(seen)}`);
    const last = updates.at(-1)!.data;
    assert.equal(last.id, campaign.id);
    assert.deepEqual([last.report.sent, last.report.impressions, last.report.clicks], [10, 7, 1]);
    const bobSaw = await bobEvents;
    assert.deepEqual(
      bobSaw.map((e) => e.event),
      ['ready'],
      'another merchant’s page hears nothing of it',
    );
  });

  it('refuses the event stream without a sign-in', async () => {
    const res = await fetch(`${base}/v1/events`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { field: string }).field, 'headers.authorization');
  });

  it('counts subscribers in total, by push service and per day of the merchant’s time zone', async () => {
    const m = await h.newMerchant();
    const badZone = await h.app.inject({
      method: 'PATCH',
      url: '/v1/merchant',
      headers: bearer(m.apiKey),
      payload: { time_zone: 'Mars/Olympus_Mons' },
    });
    assert.equal(badZone.statusCode, 400);
    assert.equal(badZone.json().field, 'body.time_zone');
    const zone = await h.app.inject({
      method: 'PATCH',
      url: '/v1/merchant',
      headers: bearer(m.apiKey),
      payload: { time_zone: 'Pacific/Kiritimati' },
    });
    assert.equal(zone.statusCode, 200, zone.body);
    assert.equal(zone.json().time_zone, 'Pacific/Kiritimati');
    // Kiritimati is UTC+14: for most of the UTC day its date is a day ahead.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Kiritimati' }).format(new Date());
    const insert = (endpoint: string, createdAt: string, extra = '') =>
      h.pool.query(
        `INSERT INTO subscribers (merchant_id, endpoint, p256dh, auth, created_at${extra ? `, ${extra}` : ''})
         VALUES ($1, $2, 'k', 'a', $3${extra ? ', now()' : ''})`,
        [m.id, endpoint, createdAt],
      );
    const now = new Date().toISOString();
    await insert('https://fcm.googleapis.com/fcm/send/a', now);
    await insert('https://fcm.googleapis.com/fcm/send/b', now, 'expired_at');
    await insert('https://updates.push.services.mozilla.com/wpush/v2/c', now, 'unsubscribed_at');
    await insert('https://web.push.apple.com/d', new Date(Date.now() - 10 * 86_400_000).toISOString());
    const stats = await h.app.inject({ url: '/v1/subscribers/stats?days=7', headers: bearer(m.apiKey) });
    assert.equal(stats.statusCode, 200, stats.body);
    const body = stats.json();
    assert.deepEqual(
      [body.total, body.sendable, body.expired, body.unsubscribed, body.time_zone],
      [4, 2, 1, 1, 'Pacific/Kiritimati'],
    );
    assert.deepEqual(body.by_push_service, [
      { push_service: 'fcm.googleapis.com', total: 2, sendable: 1, expired: 1 },
      { push_service: 'updates.push.services.mozilla.com', total: 1, sendable: 0, expired: 0 },
      { push_service: 'web.push.apple.com', total: 1, sendable: 1, expired: 0 },
    ]);
    assert.equal(body.growth.length, 7);
    assert.equal(body.growth.at(-1).day, today);
    const sum = (key: string) => body.growth.reduce((n: number, d: Record<string, number>) => n + d[key]!, 0);
    assert.deepEqual([sum('subscribed'), sum('expired'), sum('unsubscribed')], [3, 1, 1]);
    const bad = await h.app.inject({ url: '/v1/subscribers/stats?days=0', headers: bearer(m.apiKey) });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().field, 'querystring.days');
  });
});
