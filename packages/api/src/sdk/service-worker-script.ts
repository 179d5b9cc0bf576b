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
 */
export const SERVICE_WORKER_SCRIPT = `/* Hoot service worker */
(function () {
  'use strict';
  var RETRY_DELAYS_MS = [1000, 4000, 15000, 60000];

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function sendPing(pingUrl, type, token) {
    var body = JSON.stringify({ pings: [{ type: type, token: token, time: new Date().toISOString() }] });
    function attempt(n) {
      return fetch(pingUrl, {
        method: 'POST',
        mode: 'cors',
        credentials: 'omit',
        keepalive: true,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: body
      }).then(function (response) {
        if (response.ok) return;
        if (response.status !== 429 && response.status < 500) return;
        throw new Error('ping answered ' + response.status);
      }).catch(function () {
        if (n >= RETRY_DELAYS_MS.length) return;
        return sleep(RETRY_DELAYS_MS[n] * (0.5 + Math.random())).then(function () { return attempt(n + 1); });
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
      sendPing(payload.ping_url, 'delivery', payload.token)
    ]));
  });

  self.addEventListener('notificationclick', function (event) {
    var payload = event.notification && event.notification.data;
    if (event.notification) event.notification.close();
    if (!payload || payload.v !== 1) return;
    event.waitUntil(Promise.all([
      self.clients.openWindow(payload.url),
      sendPing(payload.ping_url, 'click', payload.token)
    ]));
  });
})();
`;
