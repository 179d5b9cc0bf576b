export interface SnippetOptions {
  apiUrl: string;
  merchant: string;
  /** The dispatcher's VAPID public key (RFC 8292), base64url: the applicationServerKey. */
  vapidPublicKey: string;
}

/**
 * The script a merchant adds to their site:
 *
 *   <script src="<api>/v1/merchants/<merchant>/subscribe.js" data-service-worker="/hoot-sw.js" async></script>
 *
 * It registers the merchant's service worker file (which imports ours) and exposes
 * `hoot.subscribe()` (call it from a click: browsers require a user gesture for the permission
 * prompt) and `hoot.unsubscribe()`. The subscriber id is kept in localStorage under
 * `hoot.subscriber_id`, for the store to pass along with orders, and, with the proof the api
 * answers, in IndexedDB (database `hoot`, store `state`, key `identity`), where the service
 * worker finds it to renew the subscription on `pushsubscriptionchange`. A subscribe that finds
 * the browser's subscription changed since (a renewal the worker missed) renews it with that
 * proof first, so the browser stays the same subscriber.
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

  // The service worker's database (see service-worker-script.ts): same name, version and stores.
  function inState(mode, work) {
    return new Promise(function (resolve, reject) {
      if (typeof indexedDB === 'undefined') return resolve(undefined);
      var open = indexedDB.open('hoot', 1);
      open.onupgradeneeded = function () {
        var db = open.result;
        if (!db.objectStoreNames.contains('state')) db.createObjectStore('state');
        if (!db.objectStoreNames.contains('pings')) db.createObjectStore('pings', { keyPath: 'id', autoIncrement: true });
      };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var transaction = open.result.transaction('state', mode);
        var result = { value: undefined };
        work(transaction.objectStore('state'), result);
        transaction.oncomplete = function () { open.result.close(); resolve(result.value); };
        transaction.onerror = transaction.onabort = function () { open.result.close(); reject(transaction.error); };
      };
    }).catch(function () { return undefined; });
  }

  function readIdentity() {
    return inState('readonly', function (store, result) {
      var request = store.get('identity');
      request.onsuccess = function () { result.value = request.result; };
    });
  }

  function keepIdentity(identity) {
    return inState('readwrite', function (store) {
      if (identity) store.put(identity, 'identity');
      else store.delete('identity');
    });
  }

  // The subscriber this browser was when its subscription changed unseen: renew it, else subscribe.
  function save(subscription) {
    var json = subscription.toJSON();
    return readIdentity().then(function (identity) {
      var renewable = identity && identity.merchant === settings.merchant && identity.proof && identity.endpoint !== json.endpoint;
      if (!renewable) return post(base, json);
      return post(base + '/renew', { subscriber_id: identity.subscriberId, proof: identity.proof, subscription: json })
        .catch(function () { return post(base, json); });
    }).then(function (result) {
      return keepIdentity({
        merchant: settings.merchant,
        apiUrl: settings.apiUrl,
        subscriberId: result.subscriber_id,
        proof: result.proof,
        applicationServerKey: vapidKey,
        endpoint: json.endpoint
      }).then(function () { return result; });
    });
  }

  var supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  var registration = supported ? navigator.serviceWorker.register(workerPath) : Promise.reject(new Error('web push is not supported'));

  window.hoot = {
    supported: supported,
    subscribe: function () {
      if (!vapidKey) return Promise.reject(new Error('Hoot: no VAPID public key; set VAPID_PUBLIC_KEY on the api'));
      return Notification.requestPermission().then(function (permission) {
        if (permission !== 'granted') throw new Error('notification permission ' + permission);
        return registration;
      }).then(function (reg) {
        return reg.pushManager.getSubscription().then(function (existing) {
          return existing || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidKey) });
        });
      }).then(save).then(function (result) {
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
          return keepIdentity(null);
        }).then(function () {
          return post(base + '/unsubscribe', { endpoint: endpoint });
        });
      });
    }
  };
})();
`;
}
