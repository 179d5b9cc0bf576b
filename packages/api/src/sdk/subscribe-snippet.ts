export interface SnippetOptions {
  apiUrl: string;
  merchant: string;
  vapidPublicKey: string | null;
}

/**
 * The script a merchant adds to their site:
 *
 *   <script src="<api>/v1/merchants/<merchant>/subscribe.js" data-service-worker="/hoot-sw.js" async></script>
 *
 * It registers the merchant's service worker file (which imports ours) and exposes
 * `hoot.subscribe()` (call it from a click: browsers require a user gesture for the permission
 * prompt) and `hoot.unsubscribe()`. The subscriber id is kept in localStorage under
 * `hoot.subscriber_id`, for the store to pass along with orders.
 */
export function subscribeSnippet(options: SnippetOptions): string {
  // JSON.stringify, then escaping '<', keeps the values inert inside the script.
  const settings = JSON.stringify(options).replace(/</g, '\\u003c');
  return `/* Hoot subscribe snippet */
(function () {
  'use strict';
  var settings = ${settings};
  var script = document.currentScript;
  var workerPath = (script && script.dataset.serviceWorker) || '/hoot-sw.js';
  var vapidKey = settings.vapidPublicKey || (script && script.dataset.vapidKey);
  var base = settings.apiUrl + '/v1/merchants/' + encodeURIComponent(settings.merchant) + '/subscriptions';

  function keyBytes(base64url) {
    var text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((base64url.length + 3) % 4));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) throw new Error(json.message || ('subscribe answered ' + response.status));
        return json;
      });
    });
  }

  var supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  var registration = supported ? navigator.serviceWorker.register(workerPath) : Promise.reject(new Error('web push is not supported'));

  window.hoot = {
    supported: supported,
    subscribe: function () {
      return Notification.requestPermission().then(function (permission) {
        if (permission !== 'granted') throw new Error('notification permission ' + permission);
        return registration;
      }).then(function (reg) {
        return reg.pushManager.getSubscription().then(function (existing) {
          return existing || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidKey) });
        });
      }).then(function (subscription) {
        return post(base, subscription.toJSON());
      }).then(function (result) {
        try { localStorage.setItem('hoot.subscriber_id', String(result.subscriber_id)); } catch (e) {}
        return result;
      });
    },
    unsubscribe: function () {
      return registration.then(function (reg) {
        return reg.pushManager.getSubscription();
      }).then(function (subscription) {
        if (!subscription) return null;
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          try { localStorage.removeItem('hoot.subscriber_id'); } catch (e) {}
          return post(base + '/unsubscribe', { endpoint: endpoint });
        });
      });
    }
  };
})();
`;
}
