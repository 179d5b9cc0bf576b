export {
  DEFAULT_PUSH_HOSTS,
  DEFAULT_WNS_HOSTS,
  DEV_VAPID_SUBJECT,
  type DispatcherConfig,
  dispatcherConfigSchema,
  isProduction,
  loadDispatcherConfig,
  signingSecret,
} from './config.ts';
export { type DispatcherOptions, type RunningDispatcher, startDispatcher } from './dispatcher.ts';
export { batchKey } from './fanout/fan-out.ts';
export { createDispatcherMetrics, type DispatcherMetrics, type SendOutcome } from './metrics.ts';
export type { Campaign, Subscriber } from './notification/campaign.ts';
export { notificationIdFor } from './notification/notification-id.ts';
export { createPayloadBuilder, type PayloadBuilder } from './notification/payload-builder.ts';
export { assertPayloadFits, PayloadTooLargeError } from './notification/payload-too-large-error.ts';
export { createEndpointPolicy, type EndpointPolicy } from './push/endpoint-policy.ts';
export { EndpointRefusedError } from './push/endpoint-refused-error.ts';
export { isForbiddenAddress } from './push/forbidden-addresses.ts';
export { guardedLookup } from './push/guarded-lookup.ts';
export { createHostBackoff } from './push/host-backoff.ts';
export { createHostMatcher } from './push/host-matcher.ts';
export { createPushClient } from './push/push-client.ts';
export {
  createPushServiceBreaker,
  type GoneAnswer,
  type PushServiceBreaker,
  type PushServiceIncident,
} from './push/push-service-breaker.ts';
export { retryAfterMs, retryDelayMs } from './push/retry-delay.ts';
export { createVapidHeaderCache } from './push/vapid-header-cache.ts';
export { publicHostProblem, vapidSubjectProblem } from './push/vapid-subject.ts';
export { createWebPushSender, type PushMessage, type SendResult } from './push/web-push-sender.ts';
export { wnsHeaders } from './push/wns.ts';
