// Dashboard liveness: from a ping posted to the api (answered 202 once Kafka has it) to the open
// campaign page in Chromium showing the new figure, through the processor, the Postgres sink, the
// announcement of the changed campaign and the server-sent event. Background pings for other
// campaigns go straight to Kafka at RATE per second meanwhile.
// Usage: node bench/dashboard-live.ts   (PROBES 40 per run, RUNS 3, RATE 1000 background pings/s)
import { launchChromium } from '../packages/api/test/browser/chromium.ts';
import { startDashboardStack } from '../packages/api/test/browser/dashboard-stack.ts';
import { machineLine, median } from './machine.ts';
import { createPingWriter } from './ping-writer.ts';

const PROBES = Number(process.env.PROBES ?? 40);
const RUNS = Number(process.env.RUNS ?? 3);
const RATE = Number(process.env.RATE ?? 1000);
const TICK_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

const stack = await startDashboardStack();
const browser = await launchChromium();
const writer = await createPingWriter(stack.pipeline.topics.ping);

let background = true;
let sequence = 0;
/** Pings of 20 other merchants' campaigns, at RATE per second, until stopped. */
async function backgroundLoad(): Promise<void> {
  const perTick = Math.round((RATE * TICK_MS) / 1000);
  let next = performance.now();
  while (background && perTick > 0) {
    const pings = Array.from({ length: perTick }, () => {
      sequence++;
      return writer.ping(`load-${sequence % 20}.example`, sequence % 11);
    });
    void writer.send(pings);
    next += TICK_MS;
    await sleep(Math.max(0, next - performance.now()));
  }
}

const page = browser.page;
// The time the shown impressions last changed, by the page's own clock (the same machine's).
const WATCH = `(() => {
  const target = document.querySelector('[data-testid="campaign-impressions"]');
  window.__hootChanges = [];
  new MutationObserver(() => window.__hootChanges.push([Date.now(), target.textContent.trim()]))
    .observe(target, { childList: true, characterData: true, subtree: true });
})()`;

console.log(machineLine());
console.log(
  `dashboard live: ping posted to the api -> shown on the open campaign page (Chromium); ${PROBES} probes per run, ${RATE} background pings/s`,
);
const results: Array<{ p50: number; p99: number; max: number }> = [];
const load = backgroundLoad();
try {
  const merchant = await stack.newMerchant('Europe/Berlin');
  const signIn = await fetch(`${stack.url}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: merchant.apiKey }),
  });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  const [name, value] = cookie.split('=') as [string, string];
  await browser.context.addCookies([{ name, value, url: stack.url }]);
  for (let run = 1; run <= RUNS; run++) {
    const campaignId = await stack.sentCampaign(merchant, `Live probe ${run}`);
    await page.goto(`${stack.url}/dashboard/campaigns/${campaignId}`);
    await page.getByTestId('campaign-impressions').waitFor();
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 30_000 });
    await page.evaluate(WATCH);
    const latencies: number[] = [];
    for (let probe = 1; probe <= PROBES; probe++) {
      const posted = Date.now();
      await stack.ping(merchant, campaignId, [
        { type: 'delivery', time: new Date(), notificationId: `probe-${run}-${probe}` },
      ]);
      await page
        .getByTestId('campaign-impressions')
        .filter({ hasText: new RegExp(`^\\s*${probe}\\s*$`) })
        .waitFor({ timeout: 30_000 });
      const changes = (await page.evaluate('window.__hootChanges')) as Array<[number, string]>;
      const shown = changes.find(([, text]) => text === String(probe));
      latencies.push((shown?.[0] ?? Date.now()) - posted);
      await sleep(100 + Math.random() * 150);
    }
    const sorted = latencies.sort((a, b) => a - b);
    const r = { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1)! };
    results.push(r);
    console.log(`run ${run}: ${PROBES} probes: p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms`);
  }
  console.log(
    `median of ${RUNS}: p50 ${median(results.map((r) => r.p50))} ms, p99 ${median(results.map((r) => r.p99))} ms`,
  );
} finally {
  background = false;
  await load;
  await writer.close();
  await browser.close();
  await stack.close();
}
