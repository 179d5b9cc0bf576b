export {
  type Audience,
  type AudienceOptions,
  type AudienceTally,
  createAudience,
} from './audience/audience.ts';
export { type LoadedAudience, loadAudience } from './audience/audience-file.ts';
export {
  type AudienceBehaviour,
  type DelayRange,
  delayWithin,
  drawReaction,
  integerWithin,
  type Reaction,
} from './audience/reactions.ts';
export { type BrowserPushKeys, decryptPushMessage } from './browser/push-decryption.ts';
export { type PushSubscriptionJson, pushSubscriptionJson } from './browser/push-subscription-json.ts';
export {
  createSimulatedBrowser,
  readPush,
  restoreBrowser,
  type SavedBrowser,
  type SimulatedBrowser,
  saveBrowser,
  subscriptionOf,
} from './browser/simulated-browser.ts';
export {
  audienceBehaviour,
  loadSimulatorConfig,
  type SimulatorConfig,
  simulatorConfigSchema,
} from './config.ts';
export { type DemoCampaignsOptions, demoCampaign, startDemoCampaigns } from './demo/demo-campaigns.ts';
export { type MerchantCredentials, readMerchantCredentials } from './demo/merchant-credentials.ts';
export { type PostOptions, type PostOutcome, postWithRetry } from './http/post-with-retry.ts';
export { isRetriableStatus, retryDelayMs } from './http/retry-policy.ts';
export { createSimulatorMetrics, type SimulatorMetrics } from './metrics.ts';
export { ORDER_SIGNATURE_HEADER, type StoreOrder, signedOrder } from './orders/signed-order.ts';
export { type PushServiceStats, startAdminApi } from './push-service/admin-api.ts';
export { appleRefusesSubject } from './push-service/apple-subject-rule.ts';
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
  type BehaviourOptions,
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
