/**
 * The service worker code merchants' sites run. A service worker must be served from the site's
 * own origin, so the merchant's file holds one line, `importScripts('<api>/v1/sdk/service-worker.js')`,
 * and this script does the rest:
 *
 * - on push: shows the notification from the NotificationPayload and sends the delivery ping;
 * - on click: closes it, opens the campaign URL and sends the click ping.
 *
 * Pings go to `payload.ping_url` as text/plain JSON (no CORS preflight) with `keepalive`, so they
 * survive the worker being stopped, and are retried with exponential backoff and jitter when the
 * network fails or the api answers 429/5xx; another 4xx is final. The browser's time is taken once,
 * when the event happens, so a retried ping still counts at its real time.
 *
 * Retries run inside the event's `waitUntil`, and a browser ends an event it has extended for too
 * long and then stops the worker, losing any retry still waiting. Chromium gives a push event 90 s
 * (`kPushEventTimeoutSeconds` in third_party/blink/public/mojom/service_worker/service_worker.mojom)
 * and every other event, a click included, 5 minutes (`ServiceWorkerEventQueue::kEventTimeout` in
 * third_party/blink/renderer/modules/service_worker/service_worker_event_queue.h), checked every
 * 10 s. So a ping retries until a deadline inside that limit (80 s after a push, 280 s after a
 * click), waits at most 6 s between attempts and gives each attempt at most 10 s (the api's own
 * produce timeout). After an api outage of 60 s from the moment of the push, whether connections
 * were refused or hung, the next attempt starts by 76 s, before the deadline: the ping arrives.
 */
export const SERVICE_WORKER_SCRIPT = `/* Hoot service worker */
(function () {
  'use strict';
  // How long after the event a ping may still be retried: inside Chromium's limits on extending
  // a push event (90 s) and any other event (5 min), with a margin for its 10 s timeout checks.
  var PUSH_PING_BUDGET_MS = 80000;
  var CLICK_PING_BUDGET_MS = 280000;
  // Delays before retries: 1 s doubling up to 4 s, times a jitter of 0.5 to 1.5.
  var RETRY_BASE_DELAY_MS = 1000;
  var RETRY_MAX_DELAY_MS = 4000;
  var ATTEMPT_TIMEOUT_MS = 10000;
  // An attempt with less time than this before the deadline is not started.
  var MIN_ATTEMPT_MS = 1000;

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function timeoutSignal(ms) {
    return typeof AbortSignal !== 'undefined' && AbortSignal.timeout ? AbortSignal.timeout(ms) : undefined;
  }

  function sendPing(pingUrl, type, token, budgetMs) {
    var body = JSON.stringify({ pings: [{ type: type, token: token, time: new Date().toISOString() }] });
    var deadline = Date.now() + budgetMs;
    function attempt(n) {
      var init = {
        method: 'POST',
        mode: 'cors',
        credentials: 'omit',
        keepalive: true,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: body
      };
      var signal = timeoutSignal(Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now()));
      if (signal) init.signal = signal;
      return fetch(pingUrl, init).then(function (response) {
        if (response.ok) return;
        if (response.status !== 429 && response.status < 500) return;
        throw new Error('ping answered ' + response.status);
      }).catch(function () {
        var delay = Math.min(RETRY_BASE_DELAY_MS * Math.pow(2, n), RETRY_MAX_DELAY_MS) * (0.5 + Math.random());
        if (Date.now() + delay + MIN_ATTEMPT_MS > deadline) return;
        return sleep(delay).then(function () { return attempt(n + 1); });
      });
    }
    return attempt(0);
  }

  function payloadOf(data) {
    try {
      var payload = data && data.json();
      return payload && payload.v === 1 && typeof payload.ping_url === 'string' ? payload : null;
    } catch (e) {
      return null;
    }
  }

  self.addEventListener('push', function (event) {
    var payload = payloadOf(event.data);
    if (!payload) return;
    var options = { body: payload.body, data: payload, tag: payload.notification_id };
    if (payload.icon) options.icon = payload.icon;
    event.waitUntil(Promise.all([
      self.registration.showNotification(payload.title, options),
      sendPing(payload.ping_url, 'delivery', payload.token, PUSH_PING_BUDGET_MS)
    ]));
  });

  self.addEventListener('notificationclick', function (event) {
    var payload = event.notification && event.notification.data;
    if (event.notification) event.notification.close();
    if (!payload || payload.v !== 1) return;
    event.waitUntil(Promise.all([
      self.clients.openWindow(payload.url),
      sendPing(payload.ping_url, 'click', payload.token, CLICK_PING_BUDGET_MS)
    ]));
  });
})();
`;
