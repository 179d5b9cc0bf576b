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
 *
 * Beyond the event, a ping lives in IndexedDB (database `hoot`, store `pings`): it is written
 * before its first attempt and removed once the api accepts it (2xx) or refuses it (another
 * 4xx). Whatever is still pending when an event ends is tried again, oldest first, every time
 * the worker next runs: the next push, a notification click, a Background Sync `sync` event
 * (registered when a ping is left pending; a failed sync is retried by the browser) and a
 * `periodicsync` where the browser grants one. A ping is given up only when its token has
 * expired (its claims say when), when the api refuses it, or when more than PING_QUEUE_LIMIT are
 * pending (the oldest goes); each loss is counted by reason in IndexedDB and reported with the
 * next ping the api accepts (`dropped`), which the api turns into a metric. Without IndexedDB
 * (a private window that refuses it) pings retry inside their event only, as before.
 *
 * Subscription renewal (Push API `pushsubscriptionchange`): the subscribe snippet keeps the
 * subscriber's identity in the same database (store `state`, key `identity`: merchant, api URL,
 * subscriber id, the api's proof of that id, the VAPID public key, the endpoint). On the event
 * the worker takes the new subscription from the event, else the registration's current one,
 * else subscribes again with the same applicationServerKey (Firefox may give neither the old nor
 * the new subscription), and posts it with the proof to `/subscriptions/renew`, which links it
 * to the same subscriber. A renewal the api refuses (proof or subscriber unknown) subscribes the
 * new subscription afresh; one that cannot reach the api is kept and tried on the next run.
 */
export const SERVICE_WORKER_SCRIPT = `/* Hoot service worker */
(function () {
  'use strict';
  // How long after the event a ping may still be retried: inside Chromium's limits on extending
  // a push event (90 s) and any other event (5 min), with a margin for its 10 s timeout checks.
  var PUSH_PING_BUDGET_MS = 80000;
  var CLICK_PING_BUDGET_MS = 280000;
  // Background Sync events get 3 min in Chromium (kMaxSyncEventDuration); renewals 5 min.
  var SYNC_BUDGET_MS = 150000;
  var RENEW_BUDGET_MS = 280000;
  // Delays before retries: 1 s doubling up to 4 s, times a jitter of 0.5 to 1.5.
  var RETRY_BASE_DELAY_MS = 1000;
  var RETRY_MAX_DELAY_MS = 4000;
  var ATTEMPT_TIMEOUT_MS = 10000;
  // An attempt with less time than this before the deadline is not started.
  var MIN_ATTEMPT_MS = 1000;
  // Most pings kept pending; beyond it the oldest is dropped (and counted).
  var PING_QUEUE_LIMIT = 200;
  var SYNC_TAG = 'hoot-pings';
  var DB_NAME = 'hoot';

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function retryDelay(n) {
    return Math.min(RETRY_BASE_DELAY_MS * Math.pow(2, n), RETRY_MAX_DELAY_MS) * (0.5 + Math.random());
  }

  function timeoutSignal(ms) {
    return typeof AbortSignal !== 'undefined' && AbortSignal.timeout ? AbortSignal.timeout(ms) : undefined;
  }

  function base64urlBytes(text) {
    var binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  // When a ping token expires, in ms (its claims are base64url JSON, expiry sixth); Infinity when
  // it cannot be read, and then the api decides.
  function tokenExpiresAt(token) {
    try {
      var claims = JSON.parse(new TextDecoder().decode(base64urlBytes(token.split('.')[1])));
      return typeof claims[5] === 'number' ? claims[5] * 1000 : Infinity;
    } catch (e) {
      return Infinity;
    }
  }

  // ---- IndexedDB: 'pings' (pending pings), 'state' (identity, dropped counts, renewal) ----
  var database = null;
  function openDatabase() {
    if (typeof indexedDB === 'undefined') return Promise.reject(new Error('no IndexedDB'));
    if (!database) {
      database = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains('state')) db.createObjectStore('state');
          if (!db.objectStoreNames.contains('pings')) db.createObjectStore('pings', { keyPath: 'id', autoIncrement: true });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      }).catch(function (error) { database = null; throw error; });
    }
    return database;
  }

  // Runs work(store, result) in one transaction; resolves with result.value once it commits.
  function inStore(name, mode, work) {
    return openDatabase().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name, mode);
        var result = { value: undefined };
        work(transaction.objectStore(name), result);
        transaction.oncomplete = function () { resolve(result.value); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error || new Error('aborted')); };
      });
    });
  }

  function readState(key) {
    return inStore('state', 'readonly', function (store, result) {
      var request = store.get(key);
      request.onsuccess = function () { result.value = request.result; };
    });
  }

  function updateState(key, change) {
    return inStore('state', 'readwrite', function (store) {
      var request = store.get(key);
      request.onsuccess = function () {
        var next = change(request.result);
        if (next === undefined) store.delete(key);
        else store.put(next, key);
      };
    });
  }

  function countDropped(reason, count) {
    return updateState('dropped', function (dropped) {
      dropped = dropped || {};
      dropped[reason] = (dropped[reason] || 0) + count;
      return dropped;
    });
  }

  // What the api has counted is taken off; what was dropped meanwhile stays for the next ping.
  function uncountDropped(reported) {
    return updateState('dropped', function (dropped) {
      dropped = dropped || {};
      Object.keys(reported).forEach(function (reason) {
        dropped[reason] = Math.max(0, (dropped[reason] || 0) - reported[reason]);
      });
      return dropped;
    });
  }

  var storedPings = {
    add: function (ping) {
      return inStore('pings', 'readwrite', function (store, result) {
        var added = store.add(ping);
        added.onsuccess = function () { ping.id = added.result; };
        var count = store.count();
        count.onsuccess = function () {
          var excess = count.result - PING_QUEUE_LIMIT;
          if (excess <= 0) return;
          result.value = excess;
          var cursor = store.openCursor();
          cursor.onsuccess = function () {
            if (!cursor.result || excess-- <= 0) return;
            cursor.result.delete();
            cursor.result.continue();
          };
        };
      }).then(function (overflow) {
        if (overflow) return countDropped('overflow', overflow);
      });
    },
    list: function () {
      return inStore('pings', 'readonly', function (store, result) {
        var all = store.getAll();
        all.onsuccess = function () { result.value = all.result; };
      });
    },
    remove: function (ping) {
      return inStore('pings', 'readwrite', function (store) { store.delete(ping.id); });
    },
    dropped: function () { return readState('dropped'); },
    countDropped: countDropped,
    uncountDropped: uncountDropped
  };

  // Without IndexedDB: the event's own ping, retried inside the event only.
  function memoryPings(ping) {
    var pending = [ping];
    return {
      add: function () { return Promise.resolve(); },
      list: function () { return Promise.resolve(pending.slice()); },
      remove: function (p) { pending = pending.filter(function (q) { return q !== p; }); return Promise.resolve(); },
      dropped: function () { return Promise.resolve(undefined); },
      countDropped: function () { return Promise.resolve(); },
      uncountDropped: function () { return Promise.resolve(); }
    };
  }

  // ---- Sending pings ----
  // Ids of stored pings an event of this worker is sending, so two events never send one twice.
  var sending = {};

  // One attempt: 'sent' (2xx), 'refused' (another 4xx: final) or 'retry' (network, 429, 5xx).
  function postPing(ping, dropped, deadline) {
    var body = { pings: [{ type: ping.type, token: ping.token, time: ping.time }] };
    if (dropped) body.dropped = dropped;
    var init = {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      keepalive: true,
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify(body)
    };
    var signal = timeoutSignal(Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now()));
    if (signal) init.signal = signal;
    return fetch(ping.url, init).then(function (response) {
      if (response.ok) return 'sent';
      return response.status !== 429 && response.status < 500 ? 'refused' : 'retry';
    }, function () { return 'retry'; });
  }

  function droppedToReport(queue) {
    return queue.dropped().then(function (dropped) {
      if (!dropped) return undefined;
      var report = {};
      var any = false;
      Object.keys(dropped).forEach(function (reason) {
        if (dropped[reason] > 0) { report[reason] = dropped[reason]; any = true; }
      });
      return any ? report : undefined;
    }, function () { return undefined; });
  }

  // One pass over the pending pings, oldest first: resolves true when some are left to retry.
  // A pass stops at the first that must be retried: the api is unreachable for the others too.
  function sendPending(queue, deadline) {
    return queue.list().then(function (pings) {
      var index = 0;
      function next() {
        var ping = pings[index++];
        if (!ping) return false;
        if (ping.id !== undefined && sending[ping.id]) return next();
        if (tokenExpiresAt(ping.token) <= Date.now()) {
          return queue.remove(ping).then(function () { return queue.countDropped('expired', 1); }).then(next);
        }
        if (ping.id !== undefined) sending[ping.id] = true;
        return droppedToReport(queue).then(function (dropped) {
          return postPing(ping, dropped, deadline).then(function (outcome) {
            if (outcome === 'retry') return true;
            return queue.remove(ping).then(function () {
              if (outcome === 'refused') return queue.countDropped('refused', 1);
              if (dropped) return queue.uncountDropped(dropped);
            }).then(next);
          });
        }).then(function (left) {
          if (ping.id !== undefined) delete sending[ping.id];
          return left;
        }, function (error) {
          if (ping.id !== undefined) delete sending[ping.id];
          throw error;
        });
      }
      return next();
    });
  }

  // Passes with backoff until nothing is left or the deadline is near: resolves true when done.
  function flushPings(queue, deadline) {
    function pass(n) {
      return sendPending(queue, deadline).then(function (left) {
        if (!left) return true;
        var delay = retryDelay(n);
        if (Date.now() + delay + MIN_ATTEMPT_MS > deadline) return false;
        return sleep(delay).then(function () { return pass(n + 1); });
      });
    }
    return pass(0);
  }

  // Asks the browser to wake the worker when it is online again (Background Sync), where it can.
  function requestSync() {
    var sync = self.registration && self.registration.sync;
    if (!sync) return undefined;
    return sync.register(SYNC_TAG).catch(function () {});
  }

  // Sends the event's ping with every pending one; the browser's time is taken now, once.
  function sendPing(pingUrl, type, token, budgetMs) {
    var ping = { url: pingUrl, type: type, token: token, time: new Date().toISOString() };
    var deadline = Date.now() + budgetMs;
    return storedPings.add(ping).then(function () { return storedPings; }, function () { return memoryPings(ping); })
      .then(function (queue) {
        return flushPings(queue, deadline).then(function (done) {
          if (!done && queue === storedPings) return requestSync();
        });
      })
      .catch(function () {});
  }

  // Pending pings and a pending renewal, when the worker runs for another reason.
  function catchUp(budgetMs) {
    var deadline = Date.now() + budgetMs;
    return Promise.all([flushPings(storedPings, deadline), renewIfPending(deadline)])
      .then(function (results) { return results[0]; });
  }

  // ---- Subscription renewal ----
  // Resolves { status, json }; status 0 when the api could not be reached.
  function postJson(url, body, deadline) {
    var init = { method: 'POST', mode: 'cors', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    var signal = timeoutSignal(Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now()));
    if (signal) init.signal = signal;
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, json: json };
      });
    }, function () { return { status: 0, json: {} }; });
  }

  function retriable(status) {
    return status === 0 || status === 429 || status >= 500;
  }

  function currentSubscription(event, identity) {
    if (event && event.newSubscription) return Promise.resolve(event.newSubscription);
    var push = self.registration.pushManager;
    return push.getSubscription().then(function (existing) {
      if (existing) return existing;
      var old = event && event.oldSubscription;
      var key = old && old.options && old.options.applicationServerKey;
      return push.subscribe({
        userVisibleOnly: true,
        applicationServerKey: key || base64urlBytes(identity.applicationServerKey)
      });
    });
  }

  // Links the browser's current subscription to the subscriber it was, retried with backoff
  // until the deadline; one that could not reach the api stays marked for the next run.
  function renewSubscription(event, deadline) {
    return readState('identity').then(function (identity) {
      if (!identity || !identity.proof) return undefined;
      return updateState('renewal', function () { return true; }).then(function () {
        return currentSubscription(event, identity);
      }).then(function (subscription) {
        var base = identity.apiUrl + '/v1/merchants/' + encodeURIComponent(identity.merchant) + '/subscriptions';
        var json = subscription.toJSON();
        function attempt(n) {
          return postJson(base + '/renew', { subscriber_id: identity.subscriberId, proof: identity.proof, subscription: json }, deadline)
            .then(function (answer) {
              // A proof or subscriber the api no longer knows: the browser subscribes afresh.
              if (answer.status === 403 || answer.status === 404) return postJson(base, json, deadline);
              return answer;
            })
            .then(function (answer) {
              if (!retriable(answer.status)) return answer;
              var delay = retryDelay(n);
              if (Date.now() + delay + MIN_ATTEMPT_MS > deadline) return answer;
              return sleep(delay).then(function () { return attempt(n + 1); });
            });
        }
        return attempt(0).then(function (answer) {
          if (retriable(answer.status)) return requestSync();
          var linked = answer.status >= 200 && answer.status < 300;
          return updateState('identity', function (stored) {
            if (!linked) return stored;
            stored = stored || identity;
            stored.subscriberId = answer.json.subscriber_id;
            stored.proof = answer.json.proof;
            stored.endpoint = json.endpoint;
            return stored;
          }).then(function () {
            return updateState('renewal', function () { return undefined; });
          });
        });
      });
    });
  }

  function renewIfPending(deadline) {
    return readState('renewal').then(function (pending) {
      if (pending) return renewSubscription(null, deadline);
    }).catch(function () {});
  }

  // An event a script dispatched (never the browser's) cannot be extended; the work still runs.
  function extend(event, work) {
    var guarded = work.catch(function () {});
    try { event.waitUntil(guarded); } catch (e) {}
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
      sendPing(payload.ping_url, 'delivery', payload.token, PUSH_PING_BUDGET_MS),
      renewIfPending(Date.now() + PUSH_PING_BUDGET_MS)
    ]));
  });

  self.addEventListener('notificationclick', function (event) {
    var payload = event.notification && event.notification.data;
    if (event.notification) event.notification.close();
    if (!payload || payload.v !== 1) return;
    event.waitUntil(Promise.all([
      self.clients.openWindow(payload.url),
      sendPing(payload.ping_url, 'click', payload.token, CLICK_PING_BUDGET_MS),
      renewIfPending(Date.now() + CLICK_PING_BUDGET_MS)
    ]));
  });

  self.addEventListener('pushsubscriptionchange', function (event) {
    extend(event, renewSubscription(event, Date.now() + RENEW_BUDGET_MS));
  });

  // Background Sync: a rejected sync event is retried later by the browser.
  self.addEventListener('sync', function (event) {
    if (event.tag !== SYNC_TAG) return;
    event.waitUntil(catchUp(SYNC_BUDGET_MS).then(function (done) {
      if (!done) throw new Error('pings still pending');
    }));
  });

  self.addEventListener('periodicsync', function (event) {
    if (event.tag !== SYNC_TAG) return;
    extend(event, catchUp(SYNC_BUDGET_MS));
  });
})();
`;
