import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NotificationLogEntry } from '@hoot/archiver';
import type { NewMerchant } from '../../src/index.ts';
import { type ApiHarness, bearer, startApi } from './api-harness.ts';
import {
  archiveRecords,
  type LogNotification,
  notification,
  recordsOf,
  type StrayPing,
} from './archived-notifications.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What the api answers for each notification: the archive's entry, as JSON. */
type Entry = NotificationLogEntry;
interface LogPage {
  notifications: Entry[];
  next: string | null;
  from: string;
  to: string;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const identity = (n: LogNotification) =>
  n.notificationId ?? `${n.merchant}/campaign/${n.campaignId}/${n.subscriberId}`;

describe('GET /v1/notifications: the notification log from archive files the archiver wrote', () => {
  const directory = mkdtempSync(join(tmpdir(), 'hoot-notification-log-'));
  const now = Date.now();
  let h: ApiHarness;
  let alice: NewMerchant;
  let bob: NewMerchant;
  /** The last outcome of each of Alice's notifications in the last 7 days, by identity. */
  const alicesLog = new Map<string, LogNotification>();
  const bobsLog = new Map<string, LogNotification>();
  let alicesOld: LogNotification;
  let alicesByCampaign: Map<number, LogNotification[]>;
  let whileOpen: LogPage | undefined;
  let openFiles = 0;

  before(async () => {
    h = await startApi({ ARCHIVE_URL: directory });
    alice = await h.newMerchant();
    bob = await h.newMerchant();

    // Both merchants send campaigns numbered 9001 to subscribers numbered from 1; Alice also 9002,
    // Bob 9003. Alice's campaign 9001 went out two days ago, 9002 five hours ago, 9000 ten days ago.
    const all: LogNotification[] = [];
    const delivered = new Set([1, 2, 3, 9, 10]);
    for (let s = 1; s <= 40; s++) {
      const at = now - 2 * DAY + s * MINUTE;
      const fields: Partial<LogNotification> =
        s === 5
          ? { outcome: 'expired', status: 410, error: 'gone: 410' }
          : s === 6
            ? { outcome: 'failed', status: 500, error: 'failed: 500 after 3 attempts' }
            : s === 7
              ? { outcome: 'refused', status: null, error: 'refused: endpoint host not allowed' }
              : s === 9
                ? { notificationId: null } // seed-era event, identified by its natural key
                : {};
      if (delivered.has(s)) fields.deliveredAt = at + 20_000;
      if (s <= 3) fields.clickedAt = at + 80_000;
      all.push(notification(alice.id, 9001, s, at, { title: "Alice's boots", ...fields }));
    }
    // Subscriber 8's batch was sent again after a crash: a failure, then the same notification sent.
    const first = notification(alice.id, 9001, 8, now - 2 * DAY + 8 * MINUTE, {
      title: "Alice's boots",
      outcome: 'failed',
      status: null,
      error: 'failed: network',
    });
    const again = {
      ...first,
      outcome: 'sent' as const,
      status: 201,
      error: null,
      at: first.at + 10 * MINUTE,
    };
    all.splice(7, 1, first, again);
    for (let s = 1; s <= 20; s++) {
      const at = now - 5 * HOUR + s * 30_000;
      all.push(
        notification(alice.id, 9002, s, at, {
          title: "Alice's socks",
          ...(s === 2 ? { deliveredAt: at + 5000, clickedAt: at + 9000 } : {}),
        }),
      );
    }
    alicesOld = notification(alice.id, 9000, 1, now - 10 * DAY, { title: "Alice's old news" });
    all.push(alicesOld);
    for (let s = 1; s <= 30; s++) {
      const at = now - DAY + s * MINUTE;
      all.push(notification(bob.id, 9001, s, at, { title: "Bob's boots", deliveredAt: at + 1000 }));
    }
    // Bob's hats went out a minute ago: the archiver completes a caught-up partition's file of a
    // past hour 5 minutes after it, so this hour's files are the ones still being filled.
    for (let s = 1; s <= 10; s++) {
      all.push(notification(bob.id, 9003, s, now - MINUTE + s * 1000, { title: "Bob's hats" }));
    }
    for (const n of all) {
      if (n.at < now - 7 * DAY) continue;
      (n.merchant === alice.id ? alicesLog : bobsLog).set(identity(n), n);
    }
    alicesByCampaign = new Map();
    for (const n of alicesLog.values()) {
      alicesByCampaign.set(n.campaignId, [...(alicesByCampaign.get(n.campaignId) ?? []), n]);
    }
    // A ping of Bob's carrying the notification id of Alice's subscriber 4, whose browser sent none.
    const aliceFour = all.find(
      (n) => n.merchant === alice.id && n.campaignId === 9001 && n.subscriberId === 4,
    )!;
    const stray: StrayPing[] = [
      {
        merchant: bob.id,
        campaignId: 9001,
        subscriberId: 4,
        notificationId: aliceFour.notificationId,
        type: 'delivery',
        at: aliceFour.at + 1000,
      },
    ];

    const run = await archiveRecords(directory, recordsOf(all, stray), async (files) => {
      openFiles = files;
      whileOpen = await get(alice, '/v1/notifications?limit=500');
    });
    console.log(
      `# archive: ${run.records} records readable ${run.archiveSeconds.toFixed(1)} s after writing`,
    );
  });
  after(async () => {
    await h?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function get(merchant: NewMerchant, url: string): Promise<LogPage> {
    const res = await h.app.inject({ url, headers: bearer(merchant.apiKey) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  }

  /** Every page from `url` on, following `next`. */
  async function allPages(merchant: NewMerchant, url: string): Promise<{ entries: Entry[]; pages: number }> {
    const entries: Entry[] = [];
    let pages = 0;
    let next: string | null = null;
    do {
      const separator = url.includes('?') ? '&' : '?';
      const page = await get(merchant, next === null ? url : `${url}${separator}cursor=${next}`);
      entries.push(...page.notifications);
      next = page.next;
      pages++;
      assert.ok(pages < 100, 'paging does not end');
    } while (next !== null);
    return { entries, pages };
  }

  it('reads notifications from files the archiver is still filling', () => {
    assert.ok(openFiles > 0, 'files were still being filled');
    assert.equal(whileOpen?.notifications.length, alicesLog.size);
  });

  it('refuses a request without an API key or with a wrong one (401)', async () => {
    const none = await h.app.inject({ url: '/v1/notifications' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().field, 'headers.authorization');
    const wrong = await h.app.inject({ url: '/v1/notifications', headers: bearer('hoot_sk_not-a-key') });
    assert.equal(wrong.statusCode, 401);
  });

  it('shows each merchant their own notifications only, though both used the same ids', async () => {
    for (const [merchant, expected] of [
      [alice, alicesLog],
      [bob, bobsLog],
    ] as const) {
      const { entries } = await allPages(merchant, '/v1/notifications?limit=500');
      assert.deepEqual(
        entries.map((e) => e.notification_id).sort(),
        [...expected.keys()].sort(),
        `${merchant.id} sees exactly their notifications`,
      );
      const titles = new Set(entries.map((e) => e.title));
      const own = merchant === alice ? /^Alice's/ : /^Bob's/;
      assert.ok(
        [...titles].every((t) => own.test(t)),
        `titles ${[...titles].join(', ')}`,
      );
    }
  });

  it("returns nothing of another merchant's for their campaign id", async () => {
    const bobsOnly = await get(alice, '/v1/notifications?campaign_id=9003');
    assert.deepEqual(bobsOnly.notifications, []);
    assert.equal(bobsOnly.next, null);
    const shared = await get(alice, '/v1/notifications?campaign_id=9001&limit=500');
    assert.equal(shared.notifications.length, alicesByCampaign.get(9001)?.length);
    assert.ok(shared.notifications.every((e) => e.title === "Alice's boots"));
  });

  it('pages through every notification exactly once, newest first', async () => {
    const started = Date.now();
    const { entries, pages } = await allPages(alice, '/v1/notifications?limit=7');
    const ms = Date.now() - started;
    console.log(`# ${pages} pages of 7 from the archive in ${ms} ms (${(ms / pages).toFixed(0)} ms a page)`);
    assert.equal(pages, Math.ceil(alicesLog.size / 7));
    const ids = entries.map((e) => e.notification_id);
    assert.equal(new Set(ids).size, ids.length, 'no notification twice');
    assert.deepEqual([...ids].sort(), [...alicesLog.keys()].sort());
    for (let i = 1; i < entries.length; i++) {
      const [a, b] = [entries[i - 1]!, entries[i]!];
      assert.ok(
        a.at > b.at || (a.at === b.at && a.notification_id > b.notification_id),
        `${a.at} ${a.notification_id} before ${b.at} ${b.notification_id}`,
      );
    }
    // Filters page the same way.
    const campaign = await allPages(alice, '/v1/notifications?campaign_id=9001&limit=3');
    assert.equal(campaign.entries.length, alicesByCampaign.get(9001)?.length);
    assert.equal(new Set(campaign.entries.map((e) => e.notification_id)).size, campaign.entries.length);
    // A cursor continues the filters it was returned for, and no others: a page of campaign
    // 9001 continued as campaign 9002 would look finished.
    const first: LogPage = await get(alice, '/v1/notifications?campaign_id=9001&limit=3');
    const next: string = first.next ?? assert.fail('campaign 9001 has a second page');
    for (const other of ['campaign_id=9002', 'subscriber_id=3&campaign_id=9001', '']) {
      const refused = await h.app.inject({
        method: 'GET',
        url: `/v1/notifications?${other}&limit=3&cursor=${next}`,
        headers: bearer(alice.apiKey),
      });
      const body = refused.json() as { field: string; message: string };
      assert.equal(refused.statusCode, 400, `${other}: ${refused.body}`);
      assert.equal(body.field, 'querystring.cursor');
      assert.match(body.message, /other filters/);
    }
  });

  it('filters by subscriber, by campaign, and by both', async () => {
    const three = await get(alice, '/v1/notifications?subscriber_id=3');
    assert.deepEqual(three.notifications.map((e) => [e.campaign_id, e.subscriber_id]).sort(), [
      [9001, 3],
      [9002, 3],
    ]);
    const socks = await get(alice, '/v1/notifications?campaign_id=9002&limit=500');
    assert.equal(socks.notifications.length, 20);
    assert.ok(socks.notifications.every((e) => e.campaign_id === 9002));
    const both = await get(alice, '/v1/notifications?subscriber_id=3&campaign_id=9002');
    assert.deepEqual(
      both.notifications.map((e) => [e.campaign_id, e.subscriber_id]),
      [[9002, 3]],
    );
    const bobsThree = await get(bob, '/v1/notifications?subscriber_id=3');
    assert.deepEqual(bobsThree.notifications.map((e) => e.campaign_id).sort(), [9001, 9003]);
    assert.ok(bobsThree.notifications.every((e) => e.title.startsWith("Bob's")));
  });

  it("fills delivered_at and clicked_at from the merchant's own pings", async () => {
    const { notifications } = await get(alice, '/v1/notifications?campaign_id=9001&limit=500');
    for (const entry of notifications) {
      const expected = alicesLog.get(entry.notification_id);
      assert.ok(expected, entry.notification_id);
      assert.equal(
        entry.delivered_at,
        iso(expected.deliveredAt),
        `delivered, subscriber ${entry.subscriber_id}`,
      );
      assert.equal(entry.clicked_at, iso(expected.clickedAt), `clicked, subscriber ${entry.subscriber_id}`);
    }
    const four = notifications.find((e) => e.subscriber_id === 4);
    assert.equal(four?.delivered_at, null, "Bob's ping with Alice's notification id is not hers");
    const seed = notifications.find((e) => e.subscriber_id === 9);
    assert.equal(seed?.notification_id, `${alice.id}/campaign/9001/9`);
    assert.notEqual(seed?.delivered_at, null, 'a seed-era notification meets its ping by its natural key');
  });

  it('shows outcomes other than sent with their status and error, and a notification sent again once', async () => {
    const { notifications } = await get(alice, '/v1/notifications?campaign_id=9001&limit=500');
    const bySubscriber = new Map(notifications.map((e) => [e.subscriber_id, e]));
    assert.deepEqual(
      [5, 6, 7].map((s) => {
        const e = bySubscriber.get(s);
        return [e?.outcome, e?.status_code, e?.error];
      }),
      [
        ['expired', 410, 'gone: 410'],
        ['failed', 500, 'failed: 500 after 3 attempts'],
        ['refused', null, 'refused: endpoint host not allowed'],
      ],
    );
    assert.equal(bySubscriber.get(7)?.attempts, 0);
    const resent = notifications.filter((e) => e.subscriber_id === 8);
    assert.equal(resent.length, 1, 'sent twice, shown once');
    const expected = alicesLog.get(resent[0]!.notification_id)!;
    assert.deepEqual([resent[0]?.outcome, resent[0]?.error, resent[0]?.at], ['sent', null, iso(expected.at)]);
    const sent = bySubscriber.get(1)!;
    assert.deepEqual(
      [sent.outcome, sent.status_code, sent.error, sent.body, sent.at],
      ['sent', 201, null, 'Boots at half price', iso(alicesLog.get(sent.notification_id)!.at)],
    );
  });

  it('reads the range asked for: from and to, 7 days up to now by default', async () => {
    const recent = await get(alice, '/v1/notifications?limit=1');
    assert.ok(Math.abs(Date.parse(recent.to) - Date.now()) < 60_000, recent.to);
    assert.equal(Date.parse(recent.to) - Date.parse(recent.from), 7 * DAY);
    const from = new Date(now - 12 * DAY).toISOString();
    const to = new Date(now - 8 * DAY).toISOString();
    const old = await get(alice, `/v1/notifications?from=${from}&to=${to}`);
    assert.deepEqual(
      old.notifications.map((e) => e.notification_id),
      [alicesOld.notificationId],
    );
    assert.deepEqual([old.from, old.to], [from, to]);
    // The bounds are [from, to): a notification recorded exactly at `to` is the next range's.
    const at = iso(alicesOld.at)!;
    assert.equal((await get(alice, `/v1/notifications?from=${from}&to=${at}`)).notifications.length, 0);
    assert.equal((await get(alice, `/v1/notifications?from=${at}&to=${to}`)).notifications.length, 1);
  });

  it('takes the dashboard session cookie as well as the API key', async () => {
    const session = await h.app.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { api_key: alice.apiKey },
    });
    assert.equal(session.statusCode, 200, session.body);
    const cookie = [session.headers['set-cookie']].flat().find((c) => c?.startsWith('hoot_session='));
    assert.ok(cookie);
    const res = await h.app.inject({
      url: '/v1/notifications?subscriber_id=1',
      headers: { cookie: cookie.split(';')[0]! },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().notifications.length, 2);
  });

  it('refuses bad parameters with 400 naming the parameter', async () => {
    const garbage = Buffer.from('{"at":"soon","id":1}').toString('base64url');
    const cases: Array<[string, string]> = [
      ['limit=0', 'querystring.limit'],
      ['limit=501', 'querystring.limit'],
      ['limit=ten', 'querystring.limit'],
      ['subscriber_id=0', 'querystring.subscriber_id'],
      ['subscriber_id=abc', 'querystring.subscriber_id'],
      ['campaign_id=-3', 'querystring.campaign_id'],
      ['from=yesterday', 'querystring.from'],
      ['to=2025-13-01T00:00:00Z', 'querystring.to'],
      ['from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z', 'querystring.to'],
      ['from=2025-03-01T00:00:00Z&to=2025-03-01T00:00:00Z', 'querystring.to'],
      ['from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z', 'querystring.from'],
      [`from=${new Date(now - 40 * DAY).toISOString()}`, 'querystring.from'],
      ['cursor=not!a!cursor', 'querystring.cursor'],
      ['cursor=bm90LWpzb24', 'querystring.cursor'],
      [`cursor=${garbage}`, 'querystring.cursor'],
    ];
    for (const [query, field] of cases) {
      const res = await h.app.inject({ url: `/v1/notifications?${query}`, headers: bearer(alice.apiKey) });
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.equal(res.json().field, field, query);
    }
  });

  it('is in the OpenAPI description', async () => {
    const doc = (await h.app.inject({ url: '/docs/json' })).json();
    const get = doc.paths['/v1/notifications']?.get;
    assert.ok(get, 'GET /v1/notifications is described');
    assert.deepEqual(get.parameters.map((p: { name: string }) => p.name).sort(), [
      'campaign_id',
      'cursor',
      'from',
      'limit',
      'subscriber_id',
      'to',
    ]);
  });
});

describe('GET /v1/notifications without a readable archive', () => {
  it('answers 503 archive_not_configured when the archive directory does not exist', async () => {
    const h = await startApi({ ARCHIVE_URL: join(tmpdir(), 'hoot-no-archive-here', String(Date.now())) });
    try {
      const merchant = await h.newMerchant();
      const res = await h.app.inject({ url: '/v1/notifications', headers: bearer(merchant.apiKey) });
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.json().error, 'archive_not_configured');
      assert.match(res.json().message, /ARCHIVE_URL/);
    } finally {
      await h.close();
    }
  });

  it('answers 503 archive_unavailable when the S3 server does not answer', async () => {
    // Credentials of its own, so the SDK asks no credential provider on the network.
    process.env.AWS_ACCESS_KEY_ID ??= 'hoot-test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'hoot-test-secret';
    const h = await startApi({
      ARCHIVE_URL: 's3://hoot-archive/log',
      ARCHIVE_S3_ENDPOINT: 'http://127.0.0.1:9',
      ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
    });
    try {
      const merchant = await h.newMerchant();
      const started = Date.now();
      const res = await h.app.inject({ url: '/v1/notifications', headers: bearer(merchant.apiKey) });
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.json().error, 'archive_unavailable');
      assert.doesNotMatch(res.json().message, /127\.0\.0\.1|ECONNREFUSED/, 'the cause stays in the log');
      console.log(`# unreachable S3: 503 after ${Date.now() - started} ms`);
    } finally {
      await h.close();
    }
  });
});
