import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { campaignKey, notificationIdentity, parseCampaignKey } from '../src/index.ts';

describe('campaign keys', () => {
  it('joins merchant, source and source id with slashes and parses them back', () => {
    const ref = { merchant: 'shop-1.myshopify.com', source: 'campaign', source_id: 42 };
    assert.equal(campaignKey(ref), 'shop-1.myshopify.com/campaign/42');
    assert.deepEqual(parseCampaignKey(campaignKey(ref)), ref);
  });

  it("keeps the seed producers' placeholders (source None, source_id -1)", () => {
    const ref = { merchant: 'm', source: 'None', source_id: -1 };
    assert.deepEqual(parseCampaignKey(campaignKey(ref)), ref);
  });

  it('refuses keys that are not campaign keys', () => {
    for (const key of [
      '',
      'a',
      'a/b',
      '/campaign/1',
      'm/campaign/x',
      'm/campaign/1.5',
      'm/campaign/99999999999999999999',
    ]) {
      assert.equal(parseCampaignKey(key), undefined, key);
    }
  });

  it('identifies a notification by notification_id, else by campaign and subscriber', () => {
    const base = { merchant: 'm', source: 'campaign', source_id: 1, subscriber_id: 5 };
    assert.equal(notificationIdentity({ ...base, notification_id: 'n-9' }), 'n-9');
    assert.equal(notificationIdentity({ ...base, notification_id: null }), 'm/campaign/1/5');
    assert.equal(notificationIdentity(base), 'm/campaign/1/5');
  });
});
