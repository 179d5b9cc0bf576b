-- Up Migration

-- received_orders becomes a claim taken before an order is written to Kafka, not a note taken
-- after: the primary key decides which of several concurrent deliveries of one order writes it.
-- A claim whose write failed is deleted so the store's retry can take it; one left behind by a
-- process that died between claim and write (written_at still null) may be taken again once it is
-- older than any write can take.
ALTER TABLE received_orders
  ADD COLUMN claimed_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN written_at timestamptz DEFAULT now(),
  -- Where the order came from ('hoot' for Hoot's own webhook, 'shopify') and, for Shopify, the
  -- X-Shopify-Webhook-Id of the delivery that wrote it.
  ADD COLUMN source text NOT NULL DEFAULT 'hoot',
  ADD COLUMN webhook_id text,
  -- Null when the order carried no subscriber id: accepted, written, attributed to no campaign.
  ADD COLUMN subscriber_id bigint;
-- Rows from before were written when they were remembered.
UPDATE received_orders SET claimed_at = received_at, written_at = received_at;
ALTER TABLE received_orders ALTER COLUMN written_at DROP DEFAULT;

-- A Shopify shop (its permanent myshopify.com domain, as X-Shopify-Shop-Domain names it) belongs
-- to one Hoot merchant. Shopify signs webhooks with a key of its own (the app's client secret, or
-- the key the shop admin shows for webhooks created there): webhook_secret holds it, else the
-- merchant's own webhook secret is used.
CREATE TABLE merchant_shop_domains (
  shop_domain     text PRIMARY KEY CHECK (shop_domain ~ '^[a-z0-9][a-z0-9.-]{0,253}$'),
  merchant_id     text NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
  webhook_secret  text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX merchant_shop_domains_merchant ON merchant_shop_domains (merchant_id);

-- Down Migration
DROP TABLE merchant_shop_domains;
ALTER TABLE received_orders DROP COLUMN claimed_at, DROP COLUMN written_at, DROP COLUMN source,
  DROP COLUMN webhook_id, DROP COLUMN subscriber_id;
