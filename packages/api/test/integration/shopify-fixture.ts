import { createHmac } from 'node:crypto';

export interface ShopifyOrderFixture {
  /** The order id as Shopify writes it: a JSON number beyond 2^53. */
  id: string;
  customerId?: string;
  shopAmount: string;
  shopCurrency: string;
  /** What the buyer saw; Hoot must ignore it. */
  presentmentAmount?: string;
  presentmentCurrency?: string;
  createdAt?: string;
  /** Written as a note attribute, as the storefront cart script leaves it. */
  subscriberId?: string;
  landingSite?: string;
}

/**
 * The raw text of an orders/create body shaped as Shopify sends it (fields from Shopify's Order
 * resource and its webhook sample): ids as bare JSON numbers, money as decimal strings, slashes
 * escaped as `\/`, `&` as `\u0026`, non-ASCII as UTF-8. Built as text on purpose: JSON.stringify
 * writes neither escape, and the HMAC is over these exact bytes.
 */
export function shopifyOrderBody(o: ShopifyOrderFixture): string {
  const presentmentAmount = o.presentmentAmount ?? o.shopAmount;
  const presentmentCurrency = o.presentmentCurrency ?? o.shopCurrency;
  const notes =
    o.subscriberId === undefined ? '[]' : `[{"name":"hoot_subscriber_id","value":"${o.subscriberId}"}]`;
  const landing = o.landingSite ?? '\\/products\\/caf\u00e9-cr\u00e8me?utm_source=hoot\\u0026utm_medium=push';
  const customer =
    o.customerId === undefined
      ? 'null'
      : `{"id":${o.customerId},"email":"bob.norman@mail.example.com","first_name":"Bob","last_name":"Norm\u00e4n","currency":"${o.shopCurrency}"}`;
  return `{"id":${o.id},"admin_graphql_api_id":"gid:\\/\\/shopify\\/Order\\/${o.id}","app_id":580111,"browser_ip":"203.0.113.7","buyer_accepts_marketing":false,"cancel_reason":null,"cancelled_at":null,"cart_token":"Z2NwLWV1cm9wZS13ZXN0NDpxxx","checkout_id":901414060,"confirmed":true,"contact_email":"bob.norman@mail.example.com","created_at":"${o.createdAt ?? '2026-11-21T10:15:00-05:00'}","currency":"${o.shopCurrency}","current_total_price":"${o.shopAmount}","financial_status":"paid","landing_site":"${landing}","name":"#1001","note":"Geschenk f\u00fcr Oma \u2014 \u6771\u4eac \ud83c\udf81","note_attributes":${notes},"number":1,"order_number":1001,"order_status_url":"https:\\/\\/shop.example\\/orders\\/abc\\/authenticate?key=xyz\\u0026foo=bar","presentment_currency":"${presentmentCurrency}","processed_at":"2026-11-21T10:15:00-05:00","referring_site":"https:\\/\\/www.google.com\\/search?q=caf\u00e9\\u0026hl=de","source_name":"web","subtotal_price":"${o.shopAmount}","tags":"","test":false,"total_price":"${presentmentAmount}","total_price_set":{"shop_money":{"amount":"${o.shopAmount}","currency_code":"${o.shopCurrency}"},"presentment_money":{"amount":"${presentmentAmount}","currency_code":"${presentmentCurrency}"}},"total_tax":"0.00","customer":${customer},"line_items":[{"id":866550311766439020,"variant_id":808950810,"title":"Caf\u00e9 Cr\u00e8me \u2014 \u6771\u4eac Edition","quantity":1,"price":"${o.shopAmount}","sku":"CC-\u00c9","product_id":632910392}]}`;
}

/** X-Shopify-Hmac-Sha256: base64 of HMAC-SHA256 over the raw body with the shop's key. */
export function shopifyHmac(
  body: string | Buffer,
  secret: string,
  encoding: 'base64' | 'hex' = 'base64',
): string {
  return createHmac('sha256', secret).update(body).digest(encoding);
}

/** The headers of an order webhook as Shopify sends them, in Shopify's own capitalisation. */
export function shopifyHeaders(
  body: string,
  secret: string,
  shop: string,
  options: { topic?: string; webhookId?: string; hmac?: string } = {},
): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'X-Shopify-Topic': options.topic ?? 'orders/create',
    'X-Shopify-Hmac-Sha256': options.hmac ?? shopifyHmac(body, secret),
    'X-Shopify-Shop-Domain': shop,
    'X-Shopify-Webhook-Id': options.webhookId ?? `b54557e4-${Math.random().toString(16).slice(2, 10)}`,
    'X-Shopify-API-Version': '2025-07',
    'X-Shopify-Triggered-At': '2026-11-21T15:15:01.000Z',
  };
}
