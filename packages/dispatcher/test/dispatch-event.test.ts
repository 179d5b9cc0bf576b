import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Campaign, Subscriber } from '../src/notification/campaign.ts';
import { auditText, dispatchEvent, MAX_ERROR_CHARS } from '../src/sending/dispatch-event.ts';

const campaign: Campaign = {
  id: 42,
  merchant: 'shop.example',
  title: 'Sale',
  body: 'Up to 30% off',
  url: 'https://shop.example/sale',
  icon: null,
  status: 'sending',
  ttlSeconds: 3600,
  urgency: 'low',
};
const subscriber: Subscriber = {
  id: 7,
  endpoint: 'https://fcm.googleapis.com/fcm/send/cap-abc123:APA91bSecret',
  p256dh: 'BPublicKeyOfTheBrowser0123456789',
  auth: 'authSecret0123',
};

describe('dispatch events', () => {
  it('carries the payload, the push headers and, when sent, the acceptance time', () => {
    const event = dispatchEvent(campaign, subscriber, {
      outcome: 'sent',
      notificationId: 'n-1',
      status: 201,
      pushService: 'fcm.googleapis.com',
      attempts: 2,
      sentAt: 1000,
      decidedAt: 1000,
    });
    assert.deepEqual(event, {
      title: 'Sale',
      description: 'Up to 30% off',
      source: 'campaign',
      source_id: 42,
      merchant: 'shop.example',
      subscriber_id: 7,
      notification_id: 'n-1',
      sent_at: 1000,
      status_code: 201,
      push_service: 'fcm.googleapis.com',
      url: 'https://shop.example/sale',
      outcome: 'sent',
      error: null,
      attempts: 2,
      ttl_seconds: 3600,
      urgency: 'low',
      icon: null,
      decided_at: 1000,
    });
  });

  it('gives a notification not sent no sent_at, a null host when refused unparsed, and its reason', () => {
    const event = dispatchEvent(campaign, subscriber, {
      outcome: 'refused',
      notificationId: 'n-1',
      pushService: '',
      attempts: 0,
      decidedAt: 2000,
      failure: { kind: 'refused', detail: 'endpoint host evil.example is not on the push-service allowlist' },
    });
    assert.equal(event.sent_at, null);
    assert.equal(event.status_code, null);
    assert.equal(event.push_service, null);
    assert.equal(event.decided_at, 2000);
    assert.equal(event.error, 'refused: endpoint host evil.example is not on the push-service allowlist');
  });

  it('keeps endpoints, their paths and keys out of error texts, and cuts them short', () => {
    const quoted = `endpoint is not a URL: ${JSON.stringify(subscriber.endpoint)}`;
    assert.equal(auditText(quoted, subscriber), 'endpoint is not a URL: "[redacted]"');
    assert.equal(
      auditText(
        'failed for https://updates.push.services.mozilla.com/wpush/v2/gAAAA-capability now',
        subscriber,
      ),
      'failed for https://updates.push.services.mozilla.com now',
    );
    assert.equal(
      auditText(`cannot encrypt with ${subscriber.p256dh} and ${subscriber.auth}`, subscriber),
      'cannot encrypt with [redacted] and [redacted]',
    );
    const long = auditText(`gone: 410 ${'x'.repeat(1000)}`, subscriber);
    assert.equal(long.length, MAX_ERROR_CHARS);
    assert.ok(long.endsWith('…'));
    assert.equal(auditText('a\n  b', subscriber), 'a b');
  });
});
