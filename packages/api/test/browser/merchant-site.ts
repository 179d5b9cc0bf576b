import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A merchant's web site as the README tells merchants to set it up: a page of its own origin and
 * `/hoot-sw.js`, one line importing the api's service worker. It listens on 127.0.0.1 and is
 * visited as http://localhost:<port>, which browsers treat as a secure context, so service workers
 * and notifications work without TLS; the api is another origin (http://127.0.0.1:<port>), as on
 * a real site.
 */
export interface MerchantSite {
  /** http://localhost:<port> */
  origin: string;
  /** Requests the site has answered, by path, in order. */
  requests: string[];
  close(): Promise<void>;
}

export interface MerchantSiteOptions {
  /** The api's base URL, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  /** The merchant id, for the subscribe snippet's URL. */
  merchant: string;
}

const html = 'text/html; charset=utf-8';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 40rem; color: #222; }
  header { border-bottom: 1px solid #ddd; margin-bottom: 1rem; }
  output, li { display: block; padding: .5rem; background: #f4f4f4; border-radius: 4px; margin: .25rem 0; }
  button { font: inherit; padding: .4rem .9rem; }
</style>
</head>
<body>
<header><h1>${title}</h1></header>
${body}
</body>
</html>
`;
}

/** Starts the merchant's site; the page at `/` includes the api's subscribe snippet. */
export async function startMerchantSite(options: MerchantSiteOptions): Promise<MerchantSite> {
  const requests: string[] = [];
  const snippetUrl = `${options.apiUrl}/v1/merchants/${encodeURIComponent(options.merchant)}/subscribe.js`;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(url.pathname + url.search);
    if (url.pathname === '/hoot-sw.js') {
      response.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8' });
      response.end(`importScripts(${JSON.stringify(`${options.apiUrl}/v1/sdk/service-worker.js`)});\n`);
    } else if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': html });
      response.end(
        page(
          'Boots & Co.',
          `<p>Winter boots, handmade.</p>
<p><button id="subscribe" type="button">Get sale alerts</button>
<button id="unsubscribe" type="button">Stop alerts</button></p>
<output id="status" aria-live="polite">Not subscribed</output>
<h2>Notifications shown</h2>
<ul id="notifications"></ul>
<script src="${snippetUrl}" data-service-worker="/hoot-sw.js"></script>
<script>
  var statusOutput = document.getElementById('status');
  document.getElementById('subscribe').addEventListener('click', function () {
    hoot.subscribe().then(function (r) { statusOutput.textContent = 'Subscribed as subscriber ' + r.subscriber_id; },
      function (e) { statusOutput.textContent = 'Subscribe failed: ' + e.message; });
  });
  document.getElementById('unsubscribe').addEventListener('click', function () {
    hoot.unsubscribe().then(function () { statusOutput.textContent = 'Unsubscribed'; },
      function (e) { statusOutput.textContent = 'Unsubscribe failed: ' + e.message; });
  });
  // Lists the notifications the service worker shows, for people looking at screenshots.
  window.listNotifications = function () {
    return navigator.serviceWorker.ready.then(function (reg) { return reg.getNotifications(); }).then(function (list) {
      var ul = document.getElementById('notifications');
      ul.textContent = '';
      list.forEach(function (n) {
        var li = document.createElement('li');
        li.textContent = n.title + ' — ' + n.body;
        ul.appendChild(li);
      });
      return list.map(function (n) { return { title: n.title, body: n.body, tag: n.tag, data: n.data }; });
    });
  };
</script>`,
        ),
      );
    } else if (url.pathname === '/boots') {
      response.writeHead(200, { 'content-type': html });
      response.end(
        page('Winter sale: boots', `<p>You came from a notification: ${url.search || '(no campaign)'}.</p>`),
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
