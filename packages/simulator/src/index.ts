export { type BrowserPushKeys, decryptPushMessage } from './browser/push-decryption.ts';
export { type PushServiceStats, startAdminApi } from './push-service/admin-api.ts';
export { pushServiceMainFile } from './push-service/main-file.ts';
export {
  type PushAnswer,
  type PushMessage,
  type PushReceiver,
  type PushServiceCounters,
  type PushServiceOptions,
  type RunningPushService,
  startPushService,
} from './push-service/push-service.ts';
export {
  type Answer,
  createScriptedEndpoints,
  type ReceivedPush,
  type ScriptedEndpoints,
  type TestSubscription,
} from './push-service/scripted-endpoints.ts';
export {
  createVapidVerifier,
  type VapidIdentity,
  VapidRejectedError,
  type VapidVerifier,
} from './push-service/vapid-verifier.ts';
export { type CertificateFiles, ensureSelfSignedCert, makeSelfSignedCert } from './tls/self-signed-cert.ts';
