import { SUBSCRIBER_ATTRIBUTE } from '../orders/shopify-order.ts';

/**
 * The storefront script a Shopify theme adds beside the subscribe snippet:
 *
 *   <script src="<api>/v1/sdk/shopify-cart.js" async></script>
 *
 * It puts the subscriber id the subscribe snippet keeps in localStorage (`hoot.subscriber_id`)
 * into the cart's attributes through Shopify's storefront Ajax cart API (`GET /cart.js`, then
 * `POST /cart/update.js` with `{attributes: {hoot_subscriber_id}}`), so the order Shopify makes
 * from the cart carries it in `note_attributes` and its revenue is attributed. It runs once the
 * page has loaded (every async script, the snippet's included, has run by then), again after
 * each successful `hoot.subscribe()`, and on `hootShopifyCart.sync()`; it writes only when the
 * cart does not already carry the id. Failures are swallowed: attribution must never break a
 * storefront.
 */
export const SHOPIFY_CART_SCRIPT = `/* Hoot Shopify cart attribution */
(function () {
  'use strict';
  var ATTRIBUTE = ${JSON.stringify(SUBSCRIBER_ATTRIBUTE)};

  function subscriberId() {
    try { return localStorage.getItem('hoot.subscriber_id'); } catch (e) { return null; }
  }

  function sync() {
    var id = subscriberId();
    if (!id) return Promise.resolve(false);
    return fetch('/cart.js', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (cart) {
        if (cart && cart.attributes && cart.attributes[ATTRIBUTE] === id) return false;
        var attributes = {};
        attributes[ATTRIBUTE] = id;
        return fetch('/cart/update.js', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ attributes: attributes })
        }).then(function (response) { return response.ok; });
      })
      .catch(function () { return false; });
  }

  function wrapSubscribe() {
    var hoot = window.hoot;
    if (!hoot || typeof hoot.subscribe !== 'function' || hoot.subscribe.hootCart) return;
    var subscribe = hoot.subscribe;
    hoot.subscribe = function () {
      return subscribe.apply(hoot, arguments).then(function (result) {
        return sync().then(function () { return result; });
      });
    };
    hoot.subscribe.hootCart = true;
  }

  function start() {
    wrapSubscribe();
    sync();
  }

  window.hootShopifyCart = { sync: sync };
  if (document.readyState === 'complete') start();
  else window.addEventListener('load', start);
})();
`;
