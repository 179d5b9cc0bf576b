import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CampaignSendRequest, campaignSendRequestSchema } from '@hoot/events';
import type { NewMerchant } from '../../src/index.ts';
import { type ApiHarness, bearer, startApi } from './api-harness.ts';

const draft = { title: 'Winter sale', body: '20% off boots', url: 'https://shop.example/boots' };

describe('merchant api: campaigns and reports', () => {
  let h: ApiHarness;
  let alice: NewMerchant;
  let bob: NewMerchant;
  before(async () => {
    h = await startApi();
    alice = await h.newMerchant();
    bob = await h.newMerchant();
  });
  after(async () => {
    await h.close();
  });

  const create = (merchant: NewMerchant, payload: object = draft) =>
    h.app.inject({ method: 'POST', url: '/v1/campaigns', headers: bearer(merchant.apiKey), payload });

  it('creates a draft campaign with a zero report and reads it back', async () => {
    const res = await create(alice, { ...draft, icon: 'https://shop.example/icon.png', urgency: 'high' });
    assert.equal(res.statusCode, 201, res.body);
    const campaign = res.json();
    assert.equal(campaign.status, 'draft');
    assert.equal(campaign.urgency, 'high');
    assert.equal(campaign.ttl_seconds, 2_419_200);
    assert.deepEqual(campaign.report, {
      sent: 0,
      impressions: 0,
      clicks: 0,
      ctr: 0,
      orders: 0,
      revenue_minor: 0,
      currency: null,
      revenue: [],
      updated_at: null,
    });
    const read = await h.app.inject({ url: `/v1/campaigns/${campaign.id}`, headers: bearer(alice.apiKey) });
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.json(), campaign);
  });

  it('needs a valid API key: 401 without, with a bad or a revoked one', async () => {
    assert.equal((await h.app.inject({ url: '/v1/campaigns' })).statusCode, 401);
    const bad = await h.app.inject({ url: '/v1/campaigns', headers: bearer('hoot_sk_nope') });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().field, 'headers.authorization');
    assert.equal(
      (await h.app.inject({ url: '/v1/campaigns', headers: { authorization: 'Basic abc' } })).statusCode,
      401,
    );
    const revoked = await h.newMerchant();
    await h.pool.query('UPDATE merchant_api_keys SET revoked_at = now() WHERE merchant_id = $1', [
      revoked.id,
    ]);
    assert.equal(
      (await h.app.inject({ url: '/v1/campaigns', headers: bearer(revoked.apiKey) })).statusCode,
      401,
    );
  });

  it("keeps tenants apart: 403 on another merchant's campaign, 404 on none", async () => {
    const mine = (await create(alice)).json();
    for (const [method, url] of [
      ['GET', `/v1/campaigns/${mine.id}`],
      ['GET', `/v1/campaigns/${mine.id}/report`],
      ['GET', `/v1/campaigns/${mine.id}/report/hourly`],
      ['POST', `/v1/campaigns/${mine.id}/send`],
      ['POST', `/v1/campaigns/${mine.id}/cancel`],
    ] as const) {
      const res = await h.app.inject({ method, url, headers: bearer(bob.apiKey) });
      assert.equal(res.statusCode, 403, `${method} ${url}`);
      assert.equal(res.json().field, 'params.id');
      const none = await h.app.inject({
        method,
        url: url.replace(String(mine.id), '999999999999'),
        headers: bearer(bob.apiKey),
      });
      assert.equal(none.statusCode, 404, `${method} ${url} of no campaign`);
    }
    const list = (await h.app.inject({ url: '/v1/campaigns?limit=100', headers: bearer(bob.apiKey) })).json();
    assert.ok(list.campaigns.every((c: { id: number }) => c.id !== mine.id));
    const read = await h.app.inject({ url: `/v1/campaigns/${mine.id}`, headers: bearer(alice.apiKey) });
    assert.equal(read.json().status, 'draft', "bob's attempts changed nothing");
  });

  it('answers 400 naming the field for bad campaign input', async () => {
    const cases: Array<[object, string]> = [
      [{ ...draft, title: '' }, 'body.title'],
      [{ ...draft, title: 'x'.repeat(121) }, 'body.title'],
      [{ ...draft, url: 'javascript:alert(1)' }, 'body.url'],
      [{ ...draft, ttl_seconds: 5 }, 'body.ttl_seconds'],
      [{ ...draft, urgency: 'now' }, 'body.urgency'],
      [{ title: 'x', url: 'https://a.example' }, 'body.body'],
      // A URL with no host opens nothing.
      [{ ...draft, url: 'https://' }, 'body.url'],
      [{ ...draft, url: 'https:///boots' }, 'body.url'],
      [{ ...draft, icon: 'https://' }, 'body.icon'],
    ];
    for (const [payload, field] of cases) {
      const res = await create(alice, payload);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().field, field);
    }
    const badId = await h.app.inject({ url: '/v1/campaigns/abc', headers: bearer(alice.apiKey) });
    assert.equal(badId.statusCode, 400);
    assert.equal(badId.json().field, 'params.id');
    const badSort = await h.app.inject({ url: '/v1/campaigns?sort=title', headers: bearer(alice.apiKey) });
    assert.equal(badSort.statusCode, 400);
    assert.equal(badSort.json().field, 'querystring.sort');
    // A time Postgres cannot hold is the caller's mistake, named as such.
    const own = (await create(alice)).json();
    for (const from of ['0000-01-01T00:00:00Z', '1969-12-31T23:00:00Z']) {
      const res = await h.app.inject({
        url: `/v1/campaigns/${own.id}/report/hourly?from=${from}`,
        headers: bearer(alice.apiKey),
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().field, 'querystring.from');
    }
  });

  it('sends a draft through Kafka, then 409 on a second send; cancels, then 409 on a second cancel', async () => {
    const campaign = (await create(alice)).json();
    const sent = await h.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${campaign.id}/send`,
      headers: bearer(alice.apiKey),
    });
    assert.equal(sent.statusCode, 202, sent.body);
    assert.equal(sent.json().campaign.status, 'sending');
    assert.notEqual(sent.json().campaign.send_requested_at, null);
    const again = await h.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${campaign.id}/send`,
      headers: bearer(alice.apiKey),
    });
    assert.equal(again.statusCode, 409);

    const canceled = await h.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${campaign.id}/cancel`,
      headers: bearer(alice.apiKey),
    });
    assert.equal(canceled.statusCode, 202, canceled.body);
    assert.equal(canceled.json().campaign.status, 'canceled');
    const cancelAgain = await h.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${campaign.id}/cancel`,
      headers: bearer(alice.apiKey),
    });
    assert.equal(cancelAgain.statusCode, 409);

    const records = await h.consume<CampaignSendRequest>(h.topics.sendRequests, campaignSendRequestSchema, 2);
    const mine = records.filter((r) => r.value.campaign_id === campaign.id);
    assert.deepEqual(
      mine.map((r) => [r.key, r.value.action, r.value.merchant]),
      [
        [`${alice.id}/${campaign.id}`, 'send', alice.id],
        [`${alice.id}/${campaign.id}`, 'cancel', alice.id],
      ],
    );
    assert.equal(mine[0]?.value.request_id, sent.json().request_id);
    assert.match(mine[0]?.value.request_id ?? '', /^[0-9a-f-]{36}$/);
  });

  it('answers 409 when cancelling a sent campaign, and sends once under concurrent sends', async () => {
    const campaign = (await create(alice)).json();
    await h.pool.query("UPDATE campaigns SET status = 'sent', sent_at = now() WHERE id = $1", [campaign.id]);
    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${campaign.id}/cancel`,
      headers: bearer(alice.apiKey),
    });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error, 'conflict');

    const other = (await create(alice)).json();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.app.inject({
          method: 'POST',
          url: `/v1/campaigns/${other.id}/send`,
          headers: bearer(alice.apiKey),
        }),
      ),
    );
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [202, 409, 409, 409, 409]);
  });

  it('reports totals with CTR and the hourly series from the processor tables', async () => {
    const campaign = (await create(alice)).json();
    await h.pool.query(
      `INSERT INTO campaign_reports (merchant_id, source, source_id, sent, impressions, clicks, orders, revenue_minor, currency, revenue_by_currency)
       VALUES ($1, 'campaign', $2, 1000, 400, 30, 4, 15000, 'EUR', '{"JPY": 1700, "EUR": 15000}')`,
      [alice.id, campaign.id],
    );
    await h.pool.query(
      `INSERT INTO campaign_hourly_reports (merchant_id, source, source_id, hour, sent, impressions, clicks, orders, revenue_minor, currency, revenue_by_currency)
       VALUES ($1, 'campaign', $2, '2026-11-21T10:00:00Z', 1000, 300, 20, 2, 10000, 'EUR', '{"EUR": 10000}'),
              ($1, 'campaign', $2, '2026-11-21T11:00:00Z', 0, 100, 10, 2, 5000, 'EUR', '{"EUR": 5000, "JPY": 1700}'),
              ($1, 'campaign', $2, '2026-11-21T12:00:00Z', 0, 0, 0, 0, 0, NULL, '{}')`,
      [alice.id, campaign.id],
    );
    const report = await h.app.inject({
      url: `/v1/campaigns/${campaign.id}/report`,
      headers: bearer(alice.apiKey),
    });
    assert.equal(report.statusCode, 200);
    const { updated_at, ...figures } = report.json();
    assert.ok(typeof updated_at === 'string');
    assert.deepEqual(figures, {
      campaign_id: campaign.id,
      sent: 1000,
      impressions: 400,
      clicks: 30,
      ctr: 0.075,
      orders: 4,
      revenue_minor: 15000,
      currency: 'EUR',
      // Never added across currencies: the first currency first, then by code.
      revenue: [
        { currency: 'EUR', revenue_minor: 15000, digits: 2 },
        { currency: 'JPY', revenue_minor: 1700, digits: 0 },
      ],
    });
    const hourly = await h.app.inject({
      url: `/v1/campaigns/${campaign.id}/report/hourly?from=2026-11-21T10:00:00Z&to=2026-11-21T12:00:00Z`,
      headers: bearer(alice.apiKey),
    });
    assert.equal(hourly.statusCode, 200);
    assert.deepEqual(hourly.json(), {
      campaign_id: campaign.id,
      hours: [
        {
          hour: '2026-11-21T10:00:00.000Z',
          sent: 1000,
          impressions: 300,
          clicks: 20,
          ctr: 20 / 300,
          orders: 2,
          revenue_minor: 10000,
          currency: 'EUR',
          revenue: [{ currency: 'EUR', revenue_minor: 10000, digits: 2 }],
        },
        {
          hour: '2026-11-21T11:00:00.000Z',
          sent: 0,
          impressions: 100,
          clicks: 10,
          ctr: 0.1,
          orders: 2,
          revenue_minor: 5000,
          currency: 'EUR',
          revenue: [
            { currency: 'EUR', revenue_minor: 5000, digits: 2 },
            { currency: 'JPY', revenue_minor: 1700, digits: 0 },
          ],
        },
      ],
    });
    const badRange = await h.app.inject({
      url: `/v1/campaigns/${campaign.id}/report/hourly?from=today`,
      headers: bearer(alice.apiKey),
    });
    assert.equal(badRange.statusCode, 400);
    assert.equal(badRange.json().field, 'querystring.from');
  });

  it('lists campaigns with reports, paginated and sorted by any figure', async () => {
    const merchant = await h.newMerchant();
    const ids: number[] = [];
    for (const impressions of [5, 50, 20]) {
      const c = (await create(merchant)).json();
      ids.push(c.id);
      await h.pool.query(
        `INSERT INTO campaign_reports (merchant_id, source, source_id, impressions, clicks, revenue_minor)
         VALUES ($1, 'campaign', $2, $3, $4, $5)`,
        [merchant.id, c.id, impressions, impressions / 5, 1000 - impressions],
      );
    }
    const list = async (query: string) =>
      (await h.app.inject({ url: `/v1/campaigns?${query}`, headers: bearer(merchant.apiKey) })).json();
    const byImpressions = await list('sort=impressions&order=desc');
    assert.deepEqual(
      byImpressions.campaigns.map((c: { report: { impressions: number } }) => c.report.impressions),
      [50, 20, 5],
    );
    assert.equal(byImpressions.total, 3);
    const byRevenueAsc = await list('sort=revenue&order=asc');
    assert.deepEqual(
      byRevenueAsc.campaigns.map((c: { report: { revenue_minor: number } }) => c.report.revenue_minor),
      [950, 980, 995],
    );
    const newest = await list('limit=2');
    assert.deepEqual(
      newest.campaigns.map((c: { id: number }) => c.id),
      [ids[2], ids[1]],
    );
    assert.equal(newest.next_offset, 2);
    const last = await list('limit=2&offset=2');
    assert.deepEqual(
      last.campaigns.map((c: { id: number }) => c.id),
      [ids[0]],
    );
    assert.equal(last.next_offset, null);
    const clicks = await list('sort=clicks&order=desc&limit=1');
    assert.equal(clicks.campaigns[0].report.clicks, 10);
    assert.equal(clicks.campaigns[0].report.ctr, 0.2);
    // The sink upserts absolute figures: an update reorders the list at once.
    await h.pool.query(
      `UPDATE campaign_reports SET impressions = 500 WHERE merchant_id = $1 AND source_id = $2`,
      [merchant.id, ids[0]],
    );
    const reordered = await list('sort=impressions&order=desc&limit=1');
    assert.deepEqual(
      reordered.campaigns.map((c: { id: number; report: { impressions: number } }) => [
        c.id,
        c.report.impressions,
      ]),
      [[ids[0], 500]],
    );
    const drafts = await list('status=draft&sort=impressions&order=asc');
    assert.equal(drafts.total, 3);
    // Counts per status follow status changes and deletions.
    await h.pool.query(`UPDATE campaigns SET status = 'sending' WHERE id = $1`, [ids[1]]);
    await h.pool.query('DELETE FROM campaigns WHERE id = $1', [ids[2]]);
    assert.equal((await list('status=draft')).total, 1);
    assert.equal((await list('status=sending')).total, 1);
    assert.equal((await list('')).total, 2);
    await h.pool.query(`UPDATE campaigns SET status = 'draft' WHERE id = $1`, [ids[1]]);
    assert.deepEqual(
      (await list('status=draft&sort=impressions&order=asc')).campaigns.map(
        (c: { report: { impressions: number } }) => c.report.impressions,
      ),
      [50, 500],
    );
  });
});
