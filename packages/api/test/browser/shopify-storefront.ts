import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Shopify storefront as far as attribution needs one: a theme page with the subscribe snippet
 * and the cart script, `/hoot-sw.js`, and the storefront Ajax cart API as Shopify documents it:
 * `GET /cart.js` answers the cart (`token`, `attributes`, `items`, …) and `POST /cart/update.js`
 * with `{attributes: {...}}` merges those attributes into the cart (an empty value removes one)
 * and answers the updated cart. The cart's attributes become the order's `note_attributes`.
 */
export interface ShopifyStorefront {
  /** http://localhost:<port> */
  origin: string;
  /** The cart as Shopify would keep it for the visitor. */
  cart: { token: string; attributes: Record<string, string>; item_count: number; currency: string };
  /** Bodies posted to /cart/update.js, parsed. */
  updates: unknown[];
  close(): Promise<void>;
}

export async function startShopifyStorefront(options: {
  apiUrl: string;
  merchant: string;
  vapidPublicKey: string;
  currency: string;
}): Promise<ShopifyStorefront> {
  const cart = {
    token: 'Z2NwLWV1cm9wZS13ZXN0NDowMUhUQ0FSVA',
    attributes: {} as Record<string, string>,
    item_count: 1,
    currency: options.currency,
  };
  const updates: unknown[] = [];
  const snippet = `${options.apiUrl}/v1/merchants/${encodeURIComponent(options.merchant)}/subscribe.js`;
  const cartScript = `${options.apiUrl}/v1/sdk/shopify-cart.js`;
  const json = (response: http.ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kissaten — Tokyo coffee</title></head>
<body>
<h1>Kissaten</h1>
<p>Hand-roasted beans, shipped from Tokyo.</p>
<p><button id="subscribe" type="button">Get sale alerts</button></p>
<output id="status" aria-live="polite">Not subscribed</output>
<script src="${snippet}" data-service-worker="/hoot-sw.js" data-vapid-key="${options.vapidPublicKey}" async></script>
<script src="${cartScript}" async></script>
<script>
  document.getElementById('subscribe').addEventListener('click', function () {
    hoot.subscribe().then(function (r) {
      document.getElementById('status').textContent = 'Subscribed as subscriber ' + r.subscriber_id;
    }, function (e) { document.getElementById('status').textContent = 'Subscribe failed: ' + e.message; });
  });
</script>
</body></html>`);
    } else if (url.pathname === '/hoot-sw.js') {
      response.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8' });
      response.end(`importScripts(${JSON.stringify(`${options.apiUrl}/v1/sdk/service-worker.js`)});\n`);
    } else if (url.pathname === '/cart.js' && request.method === 'GET') {
      json(response, 200, cart);
    } else if (url.pathname === '/cart/update.js' && request.method === 'POST') {
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        text += chunk;
      });
      request.on('end', () => {
        try {
          const body = JSON.parse(text) as { attributes?: Record<string, unknown> };
          updates.push(body);
          for (const [name, value] of Object.entries(body.attributes ?? {})) {
            if (value === '' || value === null) delete cart.attributes[name];
            else cart.attributes[name] = String(value);
          }
          json(response, 200, cart);
        } catch {
          json(response, 400, { status: 'bad_request', message: 'Parameter Missing or Invalid' });
        }
      });
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    cart,
    updates,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
