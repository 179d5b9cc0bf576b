import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEV_VAPID_SUBJECT, loadDispatcherConfig, vapidSubjectProblem, wnsHeaders } from '@hoot/dispatcher';
import { DEV_PING_TOKEN_SECRET } from '../src/config.ts';

/** A production environment with everything production requires besides the VAPID subject. */
const production = {
  NODE_ENV: 'production',
  VAPID_PUBLIC_KEY: `B${'A'.repeat(86)}`,
  VAPID_PRIVATE_KEY: 'A'.repeat(43),
  PING_TOKEN_SECRETS: 'x'.repeat(40),
};

describe('VAPID subject', () => {
  it('accepts one mailto: address or an https: URL on a public domain', () => {
    for (const subject of [
      'mailto:ops@shop.com',
      'mailto:push+alerts@mail.shop.co.uk',
      'mailto:ops@example.com',
      'mailto:ops@xn--bcher-kva.de',
      'https://shop.com',
      'https://shop.com/contact',
    ]) {
      assert.equal(vapidSubjectProblem(subject), undefined, subject);
    }
  });

  it('refuses what Apple refuses, naming the subject, the reason and the rule', () => {
    const cases: Array<[string, RegExp]> = [
      ['mailto:ops@localhost', /not a fully qualified domain name/],
      ['mailto:ops@shop.local', /reserved name "local"/],
      ['mailto:ops@shop.invalid', /reserved name "invalid"/],
      ['mailto:ops@shop.test', /reserved name "test"/],
      ['mailto:ops@shop.example', /reserved name "example"/],
      ['mailto:ops@api.localhost', /reserved name "localhost"/],
      ['mailto:ops@router.home.arpa', /reserved name "home.arpa"/],
      ['mailto:mailto:ops@shop.example', /"mailto:" appears twice/],
      ['mailto: <ops@shop.com>', /white space/],
      ['mailto:<ops@shop.com>', /single plain address/],
      ['mailto:ops@shop.com,sales@shop.com', /single plain address/],
      ['mailto:ops', /no local part or no domain/],
      ['mailto:ops@192.168.1.10', /IP address/],
      ['mailto:ops@shop.123', /top-level domain/],
      ['mailto:ops@-shop.com', /not a valid domain name/],
      ['ops@shop.com', /neither mailto: nor https:/],
      ['http://shop.com', /neither mailto: nor https:/],
      ['https:shop.com', /absolute https:\/\/ URL/],
      ['https://localhost:8443', /fully qualified/],
      ['https://10.0.0.1/contact', /IP address/],
      ['https://user:secret@shop.com', /credentials/],
      ['https://shop.internal', /reserved name "internal"/],
    ];
    for (const [subject, why] of cases) {
      const problem = vapidSubjectProblem(subject);
      assert.ok(problem !== undefined, `${subject} is refused`);
      assert.match(problem, why, subject);
      assert.ok(problem.startsWith(`VAPID_SUBJECT ${JSON.stringify(subject)} is refused`), problem);
      assert.match(problem, /RFC 8292 section 2\.1; Apple answers 403 BadJwtToken/);
    }
  });

  it('keeps the development default outside production and refuses to run without a subject in production', () => {
    assert.equal(loadDispatcherConfig({}).VAPID_SUBJECT, DEV_VAPID_SUBJECT);
    assert.throws(
      () => loadDispatcherConfig({ NODE_ENV: 'production', PING_TOKEN_SECRETS: 'x'.repeat(40) }),
      (error: Error) =>
        /VAPID_SUBJECT must be set in production \(NODE_ENV=production\)/.test(error.message) &&
        error.message.includes(DEV_VAPID_SUBJECT),
    );
    assert.equal(
      loadDispatcherConfig({ ...production, VAPID_SUBJECT: 'mailto:ops@shop.com' }).VAPID_SUBJECT,
      'mailto:ops@shop.com',
    );
  });

  it('refuses in production a missing VAPID key pair and missing or development ping token secrets', () => {
    const subject = 'mailto:ops@shop.com';
    /** Refused with exactly these problems, each named by how its line starts. */
    const refused = (env: Record<string, string>, starts: string[]) =>
      assert.throws(
        () => loadDispatcherConfig({ VAPID_SUBJECT: subject, ...env }),
        (error: Error & { problems?: string[] }) => {
          assert.equal(error.problems?.length, starts.length, error.message);
          for (const [i, start] of starts.entries()) {
            assert.ok(error.problems?.[i]?.startsWith(start), error.message);
          }
          return true;
        },
      );
    const { VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, PING_TOKEN_SECRETS, ...noKeysNoSecrets } = production;
    refused(noKeysNoSecrets, [
      'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set in production (NODE_ENV=production)',
      'PING_TOKEN_SECRETS must be set in production (NODE_ENV=production)',
    ]);
    refused({ ...production, VAPID_PRIVATE_KEY: '' }, ['VAPID_PRIVATE_KEY must be set in production']);
    refused({ ...noKeysNoSecrets, VAPID_PRIVATE_KEY, PING_TOKEN_SECRETS }, [
      'VAPID_PUBLIC_KEY must be set in production',
    ]);
    refused({ ...noKeysNoSecrets, VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY }, [
      'PING_TOKEN_SECRETS must be set in production',
    ]);
    refused({ ...production, PING_TOKEN_SECRETS: `${PING_TOKEN_SECRETS},${DEV_PING_TOKEN_SECRET}` }, [
      'PING_TOKEN_SECRETS must not contain the development secret in production',
    ]);

    // Outside production the development defaults stay (main.ts and startDispatcher warn).
    const dev = loadDispatcherConfig({ VAPID_SUBJECT: subject });
    assert.equal(dev.PING_TOKEN_SECRETS, DEV_PING_TOKEN_SECRET);
    assert.equal(dev.VAPID_PUBLIC_KEY, undefined);
    assert.equal(loadDispatcherConfig({ NODE_ENV: 'development' }).VAPID_PRIVATE_KEY, undefined);
  });

  it('refuses a bad subject in any environment, with the other bad variables at once', () => {
    assert.throws(
      () => loadDispatcherConfig({ VAPID_SUBJECT: 'mailto:ops@localhost', PUSH_INCIDENT_SHARE: '0.3' }),
      (error: Error) =>
        /VAPID_SUBJECT "mailto:ops@localhost"/.test(error.message) &&
        /PUSH_INCIDENT_SHARE/.test(error.message),
    );
  });
});

describe('WNS headers', () => {
  it('asks WNS to cache a notification with a TTL, and not to with TTL 0', () => {
    assert.deepEqual(wnsHeaders(3600), { 'x-wns-cache-policy': 'cache' });
    assert.deepEqual(wnsHeaders(0), { 'x-wns-cache-policy': 'no-cache' });
  });
});
