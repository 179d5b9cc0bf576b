-- Up Migration

-- A subscriber's identity is its endpoint after normalisation (scheme and host lower-case, the
-- default port :443 dropped, path and query byte for byte), as the api now stores it; keys are
-- kept in base64url without padding. Rows written before differ only in those forms, and rows
-- that normalise to one endpoint are one browser: they merge into the oldest subscriber id.

-- The Push API's expirationTime: no send after it (null: the push service gave none).
ALTER TABLE subscribers ADD COLUMN expiration_time timestamptz;

-- Subscribers merged into another: the same browser seen twice (endpoints differing only in case
-- or port), or a renewed subscription whose new endpoint had already subscribed on its own.
-- Pings, dispatches and orders may still carry a merged id; this maps it to the one that stayed.
CREATE TABLE subscriber_merges (
  merged_id    bigint PRIMARY KEY,
  into_id      bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  merchant_id  text NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
  endpoint     text NOT NULL,
  merged_at    timestamptz NOT NULL DEFAULT now(),
  reason       text NOT NULL CHECK (reason IN ('same_endpoint', 'renewed'))
);
CREATE INDEX subscriber_merges_into ON subscriber_merges (into_id);

CREATE TEMPORARY TABLE normalised_subscribers ON COMMIT DROP AS
SELECT id, merchant_id, created_at, unsubscribed_at, expired_at, endpoint AS raw_endpoint,
       CASE WHEN m IS NULL THEN endpoint
            ELSE lower(m[1]) || '://' || lower(regexp_replace(m[2], ':(0*443)?$', '')) || m[3]
       END AS endpoint,
       rtrim(translate(p256dh, '+/', '-_'), '=') AS p256dh,
       rtrim(translate(auth, '+/', '-_'), '=') AS auth
FROM (SELECT s.*, regexp_match(s.endpoint, '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$') AS m
      FROM subscribers s) parsed;

-- Per normalised endpoint: the oldest id stays; the keys of the newest row are the browser's
-- latest; the browser is sendable when any of its rows was.
CREATE TEMPORARY TABLE subscriber_groups ON COMMIT DROP AS
SELECT merchant_id, endpoint,
       min(id) AS keep_id,
       (array_agg(p256dh ORDER BY id DESC))[1] AS p256dh,
       (array_agg(auth ORDER BY id DESC))[1] AS auth,
       min(created_at) AS created_at,
       CASE WHEN bool_or(unsubscribed_at IS NULL) THEN NULL ELSE min(unsubscribed_at) END AS unsubscribed_at,
       CASE WHEN bool_or(expired_at IS NULL) THEN NULL ELSE min(expired_at) END AS expired_at
FROM normalised_subscribers GROUP BY merchant_id, endpoint;

INSERT INTO subscriber_merges (merged_id, into_id, merchant_id, endpoint, reason)
SELECT n.id, g.keep_id, n.merchant_id, n.raw_endpoint, 'same_endpoint'
FROM normalised_subscribers n
JOIN subscriber_groups g ON g.merchant_id = n.merchant_id AND g.endpoint = n.endpoint
WHERE n.id <> g.keep_id;

DELETE FROM subscribers s USING subscriber_merges m WHERE s.id = m.merged_id;

UPDATE subscribers s
SET endpoint = g.endpoint, p256dh = g.p256dh, auth = g.auth, created_at = g.created_at,
    unsubscribed_at = g.unsubscribed_at, expired_at = g.expired_at
FROM subscriber_groups g
WHERE s.id = g.keep_id
  AND (s.endpoint, s.p256dh, s.auth, s.created_at, s.unsubscribed_at, s.expired_at)
      IS DISTINCT FROM (g.endpoint, g.p256dh, g.auth, g.created_at, g.unsubscribed_at, g.expired_at);

-- Down Migration

DROP TABLE subscriber_merges;
ALTER TABLE subscribers DROP COLUMN expiration_time;
