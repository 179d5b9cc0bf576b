import type pg from 'pg';

/**
 * A Shopify shop's permanent domain as X-Shopify-Shop-Domain sends it ("my-shop.myshopify.com"),
 * lower-cased; undefined when it is not a host name.
 */
export function normaliseShopDomain(value: string | undefined): string | undefined {
  const domain = value?.trim().toLowerCase();
  return domain !== undefined && /^[a-z0-9][a-z0-9.-]{0,253}$/.test(domain) ? domain : undefined;
}

/** Who a Shopify webhook is for, and the key its HMAC must be made with. */
export interface ShopMerchant {
  merchant: string;
  secret: string;
}

/**
 * The merchant a shop domain belongs to (merchant_shop_domains), with the shop's own webhook
 * signing key when one was given, else the merchant's webhook secret. When `merchant` is given
 * (the merchant named by the path) only that merchant is considered, and a shop not linked to it
 * signs with the merchant's webhook secret.
 */
export async function shopMerchant(
  pool: pg.Pool,
  shopDomain: string | undefined,
  merchant?: string,
): Promise<ShopMerchant | undefined> {
  if (merchant === undefined) {
    if (shopDomain === undefined) return undefined;
    const { rows } = await pool.query<ShopMerchant>(
      `SELECT m.id AS merchant, COALESCE(d.webhook_secret, m.webhook_secret) AS secret
       FROM merchant_shop_domains d JOIN merchants m ON m.id = d.merchant_id
       WHERE d.shop_domain = $1`,
      [shopDomain],
    );
    return rows[0];
  }
  const { rows } = await pool.query<ShopMerchant>(
    `SELECT m.id AS merchant, COALESCE(d.webhook_secret, m.webhook_secret) AS secret
     FROM merchants m
     LEFT JOIN merchant_shop_domains d ON d.merchant_id = m.id AND d.shop_domain = $2
     WHERE m.id = $1`,
    [merchant, shopDomain ?? null],
  );
  return rows[0];
}

/**
 * Links a shop domain to a merchant (or moves it), with the key Shopify signs the shop's
 * webhooks with; null keeps the merchant's webhook secret as the key.
 */
export async function linkShopDomain(
  pool: pg.Pool,
  merchant: string,
  shopDomain: string,
  webhookSecret: string | null,
): Promise<void> {
  const domain = normaliseShopDomain(shopDomain);
  if (domain === undefined) throw new Error(`not a shop domain: ${shopDomain}`);
  await pool.query(
    `INSERT INTO merchant_shop_domains (shop_domain, merchant_id, webhook_secret) VALUES ($1, $2, $3)
     ON CONFLICT (shop_domain) DO UPDATE SET merchant_id = EXCLUDED.merchant_id,
       webhook_secret = EXCLUDED.webhook_secret`,
    [domain, merchant, webhookSecret],
  );
}
