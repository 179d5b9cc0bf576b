import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { after, before, describe, it } from 'node:test';
import {
  appleRefusesSubject,
  createScriptedEndpoints,
  makeSelfSignedCert,
  type RunningPushService,
  startPushService,
} from '@hoot/simulator';
import webpush from 'web-push';

describe("the push service applying Apple's VAPID subject rule", () => {
  const tls = makeSelfSignedCert();
  const vapid = webpush.generateVAPIDKeys();
  const endpoints = createScriptedEndpoints({ decryptEvery: 1, record: true });
  const agent = new Agent({ ca: readFileSync(tls.certFile) });
  let push: RunningPushService;

  before(async () => {
    push = await startPushService({
      tls: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
      port: 0,
      appleSubjectRule: true,
      resolve: (id) => endpoints.resolve(id),
    });
  });

  after(async () => {
    await push?.close();
    agent.destroy();
    rmSync(tls.dir, { recursive: true, force: true });
  });

  async function sendWith(subject: string): Promise<{ status: number; body: string }> {
    const [subscription] = endpoints.create(1, 1, vapid.publicKey, push.endpointUrl);
    try {
      const sent = await webpush.sendNotification(
        {
          endpoint: subscription!.endpoint,
          keys: { p256dh: subscription!.p256dh, auth: subscription!.auth },
        },
        '{"title":"hi"}',
        {
          vapidDetails: { subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
          TTL: 60,
          agent,
        },
      );
      return { status: sent.statusCode, body: sent.body };
    } catch (error) {
      const refused = error as { statusCode: number; body: string };
      return { status: refused.statusCode, body: refused.body };
    }
  }

  it('answers 403 BadJwtToken, as Apple does, to subjects on unreachable domains or malformed', async () => {
    for (const subject of [
      'mailto:ops@localhost',
      'mailto:ops@shop.local',
      'mailto:ops@shop.invalid',
      'mailto:mailto:ops@shop.example',
      'https://localhost:8443',
    ]) {
      assert.deepEqual(await sendWith(subject), { status: 403, body: '{"reason":"BadJwtToken"}' }, subject);
    }
  });

  it('accepts a contact on a public domain', async () => {
    assert.equal((await sendWith('mailto:ops@shop.com')).status, 201);
    assert.equal((await sendWith('https://shop.com/contact')).status, 201);
    assert.equal(appleRefusesSubject('mailto:ops@example.com'), undefined);
  });
});
