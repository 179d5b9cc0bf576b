-- Up Migration

-- Every campaign send request the dispatcher has acted on: a redelivered request is recognised
-- here and never fans a campaign out twice. `published_at` is set once the batches are on Kafka;
-- a request seen again without it has its pending batches published again.
CREATE TABLE dispatch_requests (
  request_id    text PRIMARY KEY,
  merchant_id   text NOT NULL,
  campaign_id   bigint NOT NULL,
  action        text NOT NULL CHECK (action IN ('send', 'cancel')),
  -- fanned_out, canceled, ignored (nothing to do) or rejected (with the reason in detail).
  outcome       text NOT NULL CHECK (outcome IN ('fanned_out', 'canceled', 'ignored', 'rejected')),
  detail        text,
  received_at   timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz
);

-- A campaign's audience split into ranges of subscriber ids, fixed at fan-out. A batch is done
-- (or skipped, once its campaign is canceled) exactly once; a redelivered batch that is no longer
-- pending is not sent again.
CREATE TABLE dispatch_batches (
  campaign_id          bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  batch_index          integer NOT NULL CHECK (batch_index >= 0),
  first_subscriber_id  bigint NOT NULL,
  last_subscriber_id   bigint NOT NULL CHECK (last_subscriber_id >= first_subscriber_id),
  subscriber_count     integer NOT NULL CHECK (subscriber_count > 0),
  status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped')),
  -- How often a dispatcher started the batch; more than 1 means a crash or rebalance mid-batch.
  attempts             integer NOT NULL DEFAULT 0,
  sent                 integer NOT NULL DEFAULT 0,
  expired              integer NOT NULL DEFAULT 0,
  failed               integer NOT NULL DEFAULT 0,
  created_at           timestamptz NOT NULL DEFAULT now(),
  completed_at         timestamptz,
  PRIMARY KEY (campaign_id, batch_index)
);
CREATE INDEX dispatch_batches_pending ON dispatch_batches (campaign_id) WHERE status = 'pending';

-- Down Migration
DROP TABLE dispatch_batches;
DROP TABLE dispatch_requests;
