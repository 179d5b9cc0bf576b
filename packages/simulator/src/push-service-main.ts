// The local push service on its own, for the dispatcher's tests and benchmark: HTTPS push
// endpoints whose subscriptions and answers a test scripts through a plain-HTTP admin api (see
// push-service/admin-api.ts). Prints {"pushPort","adminPort","pushOrigin"} on stdout once
// listening; stops on SIGTERM or SIGINT.
import { readFileSync } from 'node:fs';
import { loadConfig } from '@hoot/runtime';
import { Type } from '@sinclair/typebox';
import { startAdminApi } from './push-service/admin-api.ts';
import { startPushService } from './push-service/push-service.ts';
import { createScriptedEndpoints } from './push-service/scripted-endpoints.ts';

const config = loadConfig(
  'push-service',
  Type.Object({
    TLS_CERT: Type.String({ minLength: 1, description: 'PEM certificate file of the HTTPS listener' }),
    TLS_KEY: Type.String({ minLength: 1, description: 'PEM private key file of the HTTPS listener' }),
    PUSH_PORT: Type.Integer({ default: 0, minimum: 0, maximum: 65535, description: 'HTTPS port; 0: any' }),
    ADMIN_PORT: Type.Integer({ default: 0, minimum: 0, maximum: 65535, description: 'Admin port; 0: any' }),
    PUSH_HOST: Type.String({ default: 'localhost', minLength: 1, description: 'Host name in endpoint URLs' }),
    DECRYPT_EVERY: Type.Integer({ default: 1, minimum: 1, description: 'Decrypt one accepted push in n' }),
    RECORD: Type.Boolean({ default: true, description: 'Keep every push for GET /received' }),
    APPLE_SUBJECT_RULE: Type.Optional(
      Type.Boolean({
        description:
          "Refuse VAPID subjects Apple refuses (403 BadJwtToken); default: when PUSH_HOST is Apple's",
      }),
    ),
  }),
);

const endpoints = createScriptedEndpoints({ decryptEvery: config.DECRYPT_EVERY, record: config.RECORD });
const push = await startPushService({
  tls: { cert: readFileSync(config.TLS_CERT), key: readFileSync(config.TLS_KEY) },
  port: config.PUSH_PORT,
  publicHost: config.PUSH_HOST,
  ...(config.APPLE_SUBJECT_RULE === undefined ? {} : { appleSubjectRule: config.APPLE_SUBJECT_RULE }),
  resolve: (id) => endpoints.resolve(id),
});
const admin = await startAdminApi(push, endpoints, config.ADMIN_PORT);
const adminPort = (admin.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ pushPort: push.port, adminPort, pushOrigin: push.origin })}\n`);

const stop = () => {
  admin.close();
  push.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
