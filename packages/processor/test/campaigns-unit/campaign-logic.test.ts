import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dispatch } from '@hoot/events';
import { isSent, retractFact } from '../../src/campaigns/campaign-fact.ts';
import { attribute, figuresAggregator, parsePingTime, rememberClick } from '../../src/index.ts';

const HOUR = 3_600_000;

describe('ping times', () => {
  it('reads ISO 8601 and the Python str(datetime) the seed producers wrote, naive as UTC', () => {
    const t = Date.UTC(2026, 10, 2, 10, 23, 45, 123);
    assert.equal(parsePingTime('2026-11-02T10:23:45.123Z'), t);
    assert.equal(parsePingTime('2026-11-02 10:23:45.123456'), t);
    assert.equal(parsePingTime('2026-11-02 10:23:45.123456+00:00'), t);
    assert.equal(parsePingTime('2026-11-02 12:23:45.123+02:00'), t);
    assert.equal(parsePingTime('2026-11-02 10:23:45'), t - 123);
  });

  it('takes null, empty and the string None for no time', () => {
    for (const text of [null, '', 'None', ' None ']) assert.equal(parsePingTime(text), null);
  });

  it('calls anything else not a time', () => {
    for (const text of [
      'yesterday',
      '2026-13-02 10:00:00',
      '2026-02-30 10:00:00',
      '2026-11-02',
      '1700000000',
    ]) {
      assert.ok(Number.isNaN(parsePingTime(text)), text);
    }
  });
});

describe('attribution', () => {
  it('finds the last click at or before the order, within the window', () => {
    let history = rememberClick(undefined, { campaign: 'm/campaign/1', at: 10 * HOUR }, 100 * HOUR);
    history = rememberClick(history, { campaign: 'm/campaign/2', at: 20 * HOUR }, 100 * HOUR);
    history = rememberClick(history, { campaign: 'm/campaign/3', at: 30 * HOUR }, 100 * HOUR);
    assert.equal(attribute(history, 25 * HOUR, 72 * HOUR), 'm/campaign/2');
    assert.equal(attribute(history, 30 * HOUR, 72 * HOUR), 'm/campaign/3');
    assert.equal(attribute(history, 9 * HOUR, 72 * HOUR), undefined);
    assert.equal(attribute(history, 20 * HOUR + 72 * HOUR, 72 * HOUR), 'm/campaign/3');
    assert.equal(attribute(history, 30 * HOUR + 72 * HOUR + 1, 72 * HOUR), undefined);
  });

  it('keeps clicks newest first, once each, only within reach of the newest', () => {
    let history = rememberClick(undefined, { campaign: 'a', at: 1 * HOUR }, 10 * HOUR);
    history = rememberClick(history, { campaign: 'a', at: 1 * HOUR }, 10 * HOUR);
    history = rememberClick(history, { campaign: 'b', at: 5 * HOUR }, 10 * HOUR);
    assert.deepEqual(history, [
      { campaign: 'b', at: 5 * HOUR },
      { campaign: 'a', at: 1 * HOUR },
    ]);
    history = rememberClick(history, { campaign: 'c', at: 12 * HOUR }, 10 * HOUR);
    assert.deepEqual(
      history.map((c) => c.campaign),
      ['c', 'b'],
    );
  });
});

describe('campaign figures', () => {
  it('adds facts by kind and takes a retracted one back', () => {
    const order = {
      kind: 'order' as const,
      campaign: 'm/campaign/1',
      id: 'm/o-1',
      delta: 1 as const,
      revenueMinor: 1250,
      currency: 'EUR',
    };
    const click = { ...order, kind: 'click' as const, id: 'n-1', revenueMinor: 0, currency: null };
    let figures = figuresAggregator.initialize();
    figures = figuresAggregator.add(figures, order);
    figures = figuresAggregator.add(figures, click);
    assert.deepEqual(figures, {
      sent: 0,
      impressions: 0,
      clicks: 1,
      orders: 1,
      revenueMinor: 1250,
      currency: 'EUR',
      revenueByCurrency: { EUR: 1250 },
    });
    figures = figuresAggregator.add(figures, retractFact(order));
    figures = figuresAggregator.add(figures, retractFact(click));
    assert.deepEqual(figures, {
      sent: 0,
      impressions: 0,
      clicks: 0,
      orders: 0,
      revenueMinor: 0,
      currency: 'EUR',
      revenueByCurrency: {},
    });
  });

  it('never adds amounts in different currencies: the first currency keeps the single-currency field', () => {
    const order = (id: string, revenueMinor: number, currency: string) => ({
      kind: 'order' as const,
      campaign: 'm/campaign/1',
      id,
      delta: 1 as const,
      revenueMinor,
      currency,
    });
    let figures = figuresAggregator.initialize();
    for (const fact of [order('o-1', 1999, 'USD'), order('o-2', 1700, 'JPY'), order('o-3', 1250, 'KWD')])
      figures = figuresAggregator.add(figures, fact);
    figures = figuresAggregator.add(figures, order('o-4', 1, 'USD'));
    assert.deepEqual(figures.revenueByCurrency, { USD: 2000, JPY: 1700, KWD: 1250 });
    assert.equal(figures.currency, 'USD');
    assert.equal(figures.revenueMinor, 2000);
    assert.equal(figures.orders, 4);
    figures = figuresAggregator.add(figures, retractFact(order('o-2', 1700, 'JPY')));
    assert.deepEqual(figures.revenueByCurrency, { USD: 2000, KWD: 1250 });
  });

  it('reads figures kept before revenue was per currency as one currency', () => {
    const old = { sent: 1, impressions: 1, clicks: 1, orders: 1, revenueMinor: 500, currency: 'EUR' };
    const next = figuresAggregator.add(old, {
      kind: 'order',
      campaign: 'm/campaign/1',
      id: 'o-9',
      delta: 1,
      revenueMinor: 300,
      currency: 'GBP',
    });
    assert.deepEqual(next.revenueByCurrency, { EUR: 500, GBP: 300 });
    assert.equal(next.revenueMinor, 500);
  });
});

describe('which dispatch events count as sent', () => {
  const seedEra: Dispatch = {
    title: 'Sale',
    description: null,
    source: 'campaign',
    source_id: 1,
    merchant: 'm',
    subscriber_id: 7,
    notification_id: null,
    sent_at: null,
    status_code: null,
    push_service: null,
    url: null,
  };
  const firstVersion = (status: number | null): Dispatch => ({
    ...seedEra,
    notification_id: 'n-1',
    sent_at: 1_795_000_000_000,
    status_code: status,
    push_service: 'fcm.googleapis.com',
  });

  it('counts an older event without an outcome as sent when it has no status or a 2xx one', () => {
    assert.equal(isSent(seedEra), true);
    assert.equal(isSent({ ...seedEra, outcome: null }), true);
    assert.equal(isSent(firstVersion(null)), true);
    assert.equal(isSent(firstVersion(201)), true);
    assert.equal(isSent(firstVersion(200)), true);
    assert.equal(isSent(firstVersion(410)), false);
    assert.equal(isSent(firstVersion(500)), false);
  });

  it('counts an event with an outcome as sent only when the outcome is sent, whatever its status', () => {
    assert.equal(isSent({ ...firstVersion(201), outcome: 'sent' }), true);
    assert.equal(isSent({ ...seedEra, outcome: 'refused', attempts: 0 }), false);
    assert.equal(isSent({ ...seedEra, outcome: 'failed', error: 'too_large: payload too large' }), false);
    assert.equal(isSent({ ...firstVersion(null), sent_at: null, outcome: 'failed' }), false);
    assert.equal(isSent({ ...firstVersion(410), sent_at: null, outcome: 'expired' }), false);
    assert.equal(isSent({ ...firstVersion(500), sent_at: null, outcome: 'failed' }), false);
    assert.equal(isSent({ ...firstVersion(201), outcome: 'failed' }), false);
  });
});
