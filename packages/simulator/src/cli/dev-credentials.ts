// Makes, once, what a local run needs to push to the local push service and keeps it in a
// directory (`./hoot dev` uses .hoot/dev): a self-signed TLS certificate for localhost, which
// the dispatcher trusts through NODE_EXTRA_CA_CERTS, and a VAPID key pair (RFC 8292) for the
// dispatcher to sign with and the browsers to subscribe with. Kept across runs, so the
// simulated browsers' subscriptions stay valid. Prints shell assignments to eval:
// PUSH_TLS_CERT, PUSH_TLS_KEY, VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY.
//   node packages/simulator/src/cli/dev-credentials.ts <directory>
import { join } from 'node:path';
import { ensureSelfSignedCert } from '../tls/self-signed-cert.ts';
import { ensureVapidKeys } from '../tls/vapid-keys.ts';

const [dir] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: dev-credentials <directory>');
  process.exit(2);
}
/** Long enough never to expire under a developer; renewed when within a day of expiring. */
const CERTIFICATE_DAYS = 825;
const tls = ensureSelfSignedCert(join(dir, 'push-tls'), CERTIFICATE_DAYS);
const vapid = ensureVapidKeys(join(dir, 'vapid.json'));
const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
for (const [name, value] of [
  ['PUSH_TLS_CERT', tls.certFile],
  ['PUSH_TLS_KEY', tls.keyFile],
  ['VAPID_PUBLIC_KEY', vapid.publicKey],
  ['VAPID_PRIVATE_KEY', vapid.privateKey],
] as const) {
  console.log(`${name}=${quote(value)}`);
}
