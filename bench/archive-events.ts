// Realistic dispatch and ping events for the archive benchmark. A few hundred merchants of
// Zipf-like sizes, each with its own range of subscriber ids and a few campaign texts (about 600
// in all: titles, bodies, urls and icons of varied text); a send is one campaign of one merchant
// to part of its subscribers, keyed by campaign as the dispatcher keys it. Texts repeat within a
// send as they do in production; notification ids, subscribers, times and outcomes do not, so the
// compression has real work. Deterministic for a given seed.

import { campaignKey, type Dispatch, type Ping } from '@hoot/events';
import { partitionForKey } from '@hoot/kafka';
import { Random } from '@hoot/workload';

export interface BenchMerchant {
  domain: string;
  /** Share of all subscribers (Zipf-like); notification volume follows it. */
  weight: number;
  /** The merchant's subscriber ids are subscriberBase … subscriberBase + subscribers - 1. */
  subscriberBase: number;
  subscribers: number;
  texts: CampaignText[];
}

export interface CampaignText {
  title: string;
  body: string;
  /** The landing page; `{id}` stands for the campaign id. */
  url: string;
  icon: string;
  ttlSeconds: number;
  urgency: 'low' | 'normal' | 'high';
}

/** One campaign sent to `audience` of its merchant's subscribers, in ascending id order. */
export interface Send {
  campaignId: number;
  merchant: BenchMerchant;
  text: CampaignText;
  url: string;
  key: string;
  partition: number;
  audience: number;
}

const ADJECTIVES = `bold bright calm classic cosy crisp dainty easy fresh gentle golden handmade honest
  light linen lucky mellow modern natural organic plush pure quiet rare rustic silky simple slow smart
  soft solid sunny tender tidy urban velvet vintage warm wild wooden woven cheerful clever sturdy`.split(
  /\s+/,
);
const NOUNS = `acorn anchor apron atlas basket bloom bramble breeze candle canyon cedar cloud clover
  comet cotton crane daisy dune ember fern fig fjord forest garden harbor hazel heron island ivy juniper
  lantern lark maple meadow moss nest oak olive orchard otter pebble pine plum prairie quill river
  saffron sage sparrow spruce stone summit thistle tide timber walnut willow wren`.split(/\s+/);
const PRODUCTS = `tote bag, linen shirt, wool scarf, ceramic mug, leather wallet, running shoe, yoga mat,
  scented candle, silk pillowcase, denim jacket, rain coat, knit sweater, face serum, lip balm,
  travel mug, water bottle, desk lamp, throw blanket, espresso blend, green tea, dog collar,
  cat tree, phone case, gym bag, sun hat, hiking sock, beanie, crossbody bag, bath towel,
  chef knife, cast iron pan, planter, notebook, fountain pen, sunglasses, watch strap`.split(/,\s*/);
const CATEGORIES = `summer dresses, winter coats, home fragrance, kitchenware, skincare, running gear,
  pet supplies, stationery, outdoor furniture, kids clothing, accessories, jewellery, coffee,
  tea, bedding, bath essentials, swimwear, footwear, bags, fitness equipment, gifts`.split(/,\s*/);
const EVENTS = `Spring Sale, Summer Sale, Black Friday, Cyber Monday, Flash Sale, Friends and Family,
  Warehouse Sale, Anniversary Sale, Holiday Sale, Weekend Deals, Clearance, Members Week,
  Back to School, Singles Day, Boxing Day`.split(/,\s*/);
const COLOURS =
  `sage, oat, navy, rust, charcoal, ivory, terracotta, olive, blush, sand, forest green, sky blue`.split(
    /,\s*/,
  );
const CITIES =
  `Berlin, Lisbon, Austin, Toronto, Melbourne, Dublin, Osaka, Denver, Oslo, Cape Town, Lyon, Seattle`.split(
    /,\s*/,
  );
const SEASONS = ['spring', 'summer', 'autumn', 'winter', 'holiday', 'weekend'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const TITLES: ReadonlyArray<(r: Random) => string> = [
  (r) => `${r.int(1, 7) * 10}% off ${r.pick(CATEGORIES)}, today only`,
  (r) => `${r.pick(EVENTS)} is here: ${r.pick(ADJECTIVES)} ${r.pick(CATEGORIES)} from $${r.int(9, 49)}`,
  (r) => `Back in stock: the ${r.pick(ADJECTIVES)} ${r.pick(PRODUCTS)}`,
  (r) => `Last chance: ${r.pick(EVENTS)} ends at midnight`,
  (r) => `New arrivals: ${r.pick(ADJECTIVES)} ${r.pick(CATEGORIES)} for ${r.pick(SEASONS)}`,
  (r) => `Free shipping on ${r.pick(CATEGORIES)} over $${r.int(3, 15) * 10}`,
  (r) => `🎉 ${r.pick(EVENTS)}: up to ${r.int(2, 7) * 10}% off everything`,
  (r) => `Only ${r.int(3, 40)} left of the ${r.pick(COLOURS)} ${r.pick(PRODUCTS)}`,
  (r) => `The ${r.pick(SEASONS)} edit: ${r.pick(ADJECTIVES)} ${r.pick(CATEGORIES)} you will love`,
  (r) => `Your ${r.pick(PRODUCTS)} in ${r.pick(COLOURS)} is waiting ✨`,
];

const SENTENCES: ReadonlyArray<(r: Random) => string> = [
  (r) =>
    `Our ${r.pick(ADJECTIVES)} ${r.pick(PRODUCTS)} is back with ${r.int(1, 6) * 10}% off for the next ${r.int(6, 72)} hours.`,
  (r) => `Shop ${r.pick(CATEGORIES)} and ${r.pick(CATEGORIES)} with free returns for ${r.int(14, 60)} days.`,
  (r) =>
    `Use code ${r.pick(NOUNS).toUpperCase()}${r.int(10, 99)} at checkout to save on ${r.pick(CATEGORIES)}.`,
  (r) => `Loved by ${r.int(2, 90)},000 customers in ${r.pick(CITIES)}, ${r.pick(CITIES)} and beyond.`,
  (r) => `New colours in ${r.pick(COLOURS)}, ${r.pick(COLOURS)} and ${r.pick(COLOURS)} just landed.`,
  (r) => `Members get early access to the ${r.pick(EVENTS)} from ${r.pick(DAYS)} at ${r.int(7, 11)} am.`,
  (r) => `Tap to see the ${r.pick(SEASONS)} lookbook and find your new favourite ${r.pick(PRODUCTS)}.`,
  () => 'Hurry, sizes are selling fast and restocks are not guaranteed.',
  (r) => `Order by ${r.pick(DAYS)} for delivery before the weekend, free over $${r.int(3, 12) * 10}.`,
  (r) =>
    `Every ${r.pick(PRODUCTS)} is made from ${r.pick(ADJECTIVES)} materials in our ${r.pick(CITIES)} workshop.`,
  (r) => `Bundle a ${r.pick(PRODUCTS)} with a ${r.pick(PRODUCTS)} and get the second at half price.`,
];

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function campaignText(r: Random, domain: string, logo: string): CampaignText {
  const title = r.pick(TITLES)(r);
  const sentences = r
    .shuffle([...SENTENCES])
    .slice(0, r.int(6, 9))
    .map((sentence) => sentence(r));
  const page = slug(`${r.pick(ADJECTIVES)} ${r.pick(r.chance(0.5) ? CATEGORIES : PRODUCTS)}`);
  const query = [
    'utm_source=hoot',
    'utm_medium=web_push',
    `utm_campaign=${slug(title).slice(0, 48)}-{id}`,
    `utm_content=${r.pick(['hero', 'banner', 'variant-a', 'variant-b', 'reminder'])}`,
    `utm_term=${slug(`${r.pick(ADJECTIVES)} ${r.pick(PRODUCTS)}`)}`,
    ...(r.chance(0.5) ? [`discount=${r.pick(NOUNS).toUpperCase()}${r.int(10, 99)}`] : []),
    ...(r.chance(0.4) ? [`variant=${r.int(10_000_000, 99_999_999)}${r.int(100_000, 999_999)}`] : []),
    ...(r.chance(0.3)
      ? [`sort_by=${r.pick(['best-selling', 'created-descending', 'price-ascending'])}`]
      : []),
  ];
  const path = r.pick(['collections', 'products', 'pages', 'blogs/news']);
  const icon = r.chance(0.7)
    ? logo
    : `https://cdn.shopify.com/s/files/1/${r.int(1000, 9999)}/${r.int(1000, 9999)}/files/${page}-${slug(r.pick(COLOURS))}.jpg?v=${r.int(1_600_000_000, 1_760_000_000)}&width=192`;
  return {
    title,
    body: sentences.join(' '),
    url: `https://${domain}/${path}/${page}?${query.join('&')}`,
    icon,
    ttlSeconds: r.pick([3600, 86_400, 86_400, 259_200, 604_800]),
    urgency: r.pick(['normal', 'normal', 'normal', 'high', 'low']),
  };
}

/**
 * `count` merchants whose subscriber counts follow a Zipf-like law (exponent 0.9) and add up to
 * about `subscribers`, each with one to six campaign texts (more for larger merchants).
 */
export function benchMerchants(seed: number, count: number, subscribers: number): BenchMerchant[] {
  const r = new Random(seed);
  const raw = Array.from({ length: count }, (_, i) => 1 / (i + 1) ** 0.9);
  const total = raw.reduce((a, b) => a + b, 0);
  const domains = new Set<string>();
  while (domains.size < count) {
    const name = `${r.pick(ADJECTIVES)}-${r.pick(NOUNS)}${r.chance(0.3) ? `-${r.pick(['co', 'studio', 'supply', 'goods', 'shop'])}` : ''}`;
    domains.add(r.chance(0.6) ? `${name}.myshopify.com` : `${name.replaceAll('-', '')}.com`);
  }
  const names = r.shuffle([...domains]);
  let base = 1_000_001;
  return raw.map((w, i) => {
    const domain = names[i] as string;
    const size = Math.max(200, Math.round((subscribers * w) / total));
    const logo = `https://cdn.shopify.com/s/files/1/${r.int(1000, 9999)}/${r.int(1000, 9999)}/${r.int(1000, 9999)}/files/${slug(domain.split('.')[0] as string)}-logo-192x192.png?v=${r.int(1_600_000_000, 1_760_000_000)}`;
    const texts = Array.from(
      { length: 1 + Math.round(3 * Math.sqrt(w / (raw[0] as number))) + r.int(0, 2) },
      () => campaignText(r, domain, logo),
    );
    const merchant = { domain, weight: w / total, subscriberBase: base, subscribers: size, texts };
    base += size;
    return merchant;
  });
}

/** A new send of one of the merchant's texts to `audience` of its subscribers. */
export function newSend(
  r: Random,
  merchant: BenchMerchant,
  campaignId: number,
  audience: number,
  partitions: number,
): Send {
  const text = r.pick(merchant.texts);
  const key = campaignKey({ merchant: merchant.domain, source: 'campaign', source_id: campaignId });
  return {
    campaignId,
    merchant,
    text,
    url: text.url.replace('{id}', String(campaignId)),
    key,
    partition: partitionForKey(key, partitions),
    audience: Math.max(1, Math.min(audience, merchant.subscribers)),
  };
}

/** The i-th subscriber of a send's audience: every (subscribers / audience)-th of the merchant's. */
export function subscriberOf(send: Send, i: number): number {
  return send.merchant.subscriberBase + Math.floor((i * send.merchant.subscribers) / send.audience);
}

const hex = (r: Random, digits: number) =>
  Math.floor(r.next() * 16 ** digits)
    .toString(16)
    .padStart(digits, '0');

/** A version-4 UUID from the seeded generator. */
export function notificationId(r: Random): string {
  const variant = (8 + Math.floor(r.next() * 4)).toString(16);
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${variant}${hex(r, 3)}-${hex(r, 6)}${hex(r, 6)}`;
}

/** A subscriber's browser, hence push service, stays the same: chosen by the subscriber id. */
function pushService(subscriber: number): string {
  const bucket = (Math.imul(subscriber, 0x9e3779b1) >>> 0) % 100;
  if (bucket < 66) return 'fcm.googleapis.com';
  if (bucket < 82) return 'web.push.apple.com';
  if (bucket < 96) return 'updates.push.services.mozilla.com';
  return `wns2-${['par02p', 'db5p', 'bl2p', 'sg2p'][bucket % 4]}.notify.windows.com`;
}

type Fate = Pick<Dispatch, 'outcome' | 'status_code' | 'error' | 'attempts' | 'push_service'>;

/** About 94% sent (201), 4.5% expired (410/404), 1.4% failed, 0.1% refused. */
function fate(r: Random, host: string): Fate {
  const x = r.next();
  if (x < 0.94) return { outcome: 'sent', status_code: 201, error: null, attempts: 1, push_service: host };
  if (x < 0.98) {
    return { outcome: 'expired', status_code: 410, error: 'gone: 410 Gone', attempts: 1, push_service: host };
  }
  if (x < 0.985) {
    return {
      outcome: 'expired',
      status_code: 404,
      error: 'gone: 404 Not Found',
      attempts: 1,
      push_service: host,
    };
  }
  if (x < 0.999) {
    const failures: Array<Pick<Fate, 'status_code' | 'error'>> = [
      { status_code: 429, error: `failed: 429 Too Many Requests after ${r.int(2, 4)} attempts` },
      { status_code: 503, error: 'failed: 503 Service Unavailable' },
      { status_code: 500, error: 'failed: 500 Internal Server Error' },
      { status_code: null, error: `failed: ${r.pick(['ECONNRESET', 'ETIMEDOUT', 'socket hang up'])}` },
      { status_code: 413, error: `too_large: payload of ${r.int(4100, 4400)} bytes over 4078` },
      { status_code: 403, error: 'config_error: 403 Forbidden: invalid VAPID JWT' },
      { status_code: null, error: `incident: ${host} failing; batch ended before it recovered` },
    ];
    return { ...r.pick(failures), outcome: 'failed', attempts: r.int(1, 4), push_service: host };
  }
  return {
    outcome: 'refused',
    status_code: null,
    error: 'refused: endpoint resolves to a private address',
    attempts: 0,
    push_service: r.chance(0.5) ? host : null,
  };
}

/** The dispatch event of the send's notification to `subscriber`, decided at `at` (epoch ms). */
export function dispatchEvent(r: Random, send: Send, subscriber: number, at: number): Dispatch {
  const f = fate(r, pushService(subscriber));
  return {
    title: send.text.title,
    description: send.text.body,
    source: 'campaign',
    source_id: send.campaignId,
    merchant: send.merchant.domain,
    subscriber_id: subscriber,
    notification_id: notificationId(r),
    sent_at: f.outcome === 'sent' ? at : null,
    status_code: f.status_code,
    push_service: f.push_service,
    url: send.url,
    outcome: f.outcome ?? null,
    error: f.error ?? null,
    attempts: f.attempts ?? null,
    ttl_seconds: send.text.ttlSeconds,
    urgency: send.text.urgency,
    icon: send.text.icon,
    decided_at: at,
  };
}

/** A delivery or click ping of a notification, as the api writes it (the token is not archived). */
export function pingEvent(
  dispatch: Dispatch,
  kind: 'delivered' | 'clicked',
  at: number,
  receivedAt: number,
): Ping {
  const iso = new Date(at).toISOString();
  return {
    merchant: dispatch.merchant,
    source: dispatch.source,
    source_id: dispatch.source_id,
    subscriber_id: dispatch.subscriber_id,
    delivered_time: kind === 'delivered' ? iso : null,
    clicked_time: kind === 'clicked' ? iso : null,
    notification_id: dispatch.notification_id,
    token: null,
    received_at: receivedAt,
    event_time: at,
  };
}
