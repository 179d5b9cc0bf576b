-- Up Migration

-- Order ids the api has written to the orders topic, so a webhook delivered again (stores retry
-- until they get a 2xx) is answered without writing the order twice.
CREATE TABLE received_orders (
  merchant_id  text NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
  order_id     text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, order_id)
);

-- Down Migration
DROP TABLE received_orders;
