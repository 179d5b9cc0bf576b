-- Up Migration

-- A merchant is a shop, identified by the handle events carry in their `merchant` field.
CREATE TABLE merchants (
  id              text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9.-]{0,253}$'),
  name            text NOT NULL,
  -- Signs order webhooks (HMAC-SHA256); shown to the merchant once, like an API key.
  webhook_secret  text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Only a hash of each key is kept: a leaked table reveals no usable key.
CREATE TABLE merchant_api_keys (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id  text NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
  key_hash     bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
  key_prefix   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE INDEX merchant_api_keys_merchant ON merchant_api_keys (merchant_id);

-- A browser's PushSubscription. Expired subscribers (404/410 from the push service) are kept for
-- reporting but never sent to again.
CREATE TABLE subscribers (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id      text NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
  endpoint         text NOT NULL,
  p256dh           text NOT NULL,
  auth             text NOT NULL,
  user_agent       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  unsubscribed_at  timestamptz,
  expired_at       timestamptz,
  UNIQUE (merchant_id, endpoint)
);
CREATE INDEX subscribers_sendable ON subscribers (merchant_id, id) WHERE unsubscribed_at IS NULL AND expired_at IS NULL;

CREATE TABLE campaigns (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id  text NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
  title        text NOT NULL,
  body         text NOT NULL,
  url          text NOT NULL,
  icon         text,
  status       text NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'sending', 'sent', 'canceled')),
  ttl_seconds  integer NOT NULL DEFAULT 2419200 CHECK (ttl_seconds > 0),
  urgency      text NOT NULL DEFAULT 'normal' CHECK (urgency IN ('very-low', 'low', 'normal', 'high')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  send_requested_at timestamptz,
  sent_at      timestamptz,
  canceled_at  timestamptz
);
CREATE INDEX campaigns_merchant ON campaigns (merchant_id, id DESC);

-- Reports are keyed like the events (merchant, source, source_id): a source may be a campaign
-- ('campaign', campaigns.id) or anything else a producer sends, so there is no foreign key.
-- Totals never expire.
CREATE TABLE campaign_reports (
  merchant_id    text NOT NULL,
  source         text NOT NULL,
  source_id      bigint NOT NULL,
  sent           bigint NOT NULL DEFAULT 0,
  impressions    bigint NOT NULL DEFAULT 0,
  clicks         bigint NOT NULL DEFAULT 0,
  orders         bigint NOT NULL DEFAULT 0,
  revenue_minor  bigint NOT NULL DEFAULT 0,
  currency       text,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, source, source_id)
);

-- One row per campaign and UTC hour of event time.
CREATE TABLE campaign_hourly_reports (
  merchant_id    text NOT NULL,
  source         text NOT NULL,
  source_id      bigint NOT NULL,
  hour           timestamptz NOT NULL CHECK (date_trunc('hour', hour AT TIME ZONE 'UTC') = hour AT TIME ZONE 'UTC'),
  sent           bigint NOT NULL DEFAULT 0,
  impressions    bigint NOT NULL DEFAULT 0,
  clicks         bigint NOT NULL DEFAULT 0,
  orders         bigint NOT NULL DEFAULT 0,
  revenue_minor  bigint NOT NULL DEFAULT 0,
  currency       text,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, source, source_id, hour)
);

-- The Postgres sink's consumed positions, written in the same transaction as the rows they
-- produced: the database, not Kafka, is the source of truth for where the sink resumes.
CREATE TABLE sink_offsets (
  consumer_group  text NOT NULL,
  topic           text NOT NULL,
  partition       integer NOT NULL CHECK (partition >= 0),
  next_offset     bigint NOT NULL CHECK (next_offset >= 0),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);

-- Down Migration
DROP TABLE sink_offsets;
DROP TABLE campaign_hourly_reports;
DROP TABLE campaign_reports;
DROP TABLE campaigns;
DROP TABLE subscribers;
DROP TABLE merchant_api_keys;
DROP TABLE merchants;
