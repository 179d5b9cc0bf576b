-- Up Migration

-- The merchant's IANA time zone: the dashboard shows hours and days in it (report rows stay UTC).
ALTER TABLE merchants ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- Dashboard sign-ins. Only a hash of the session id is kept (a leaked table opens no session), and
-- each session remembers the API key it was opened with: revoking the key ends its sessions.
CREATE TABLE dashboard_sessions (
  sid_hash     bytea PRIMARY KEY CHECK (octet_length(sid_hash) = 32),
  merchant_id  text NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
  api_key_id   bigint NOT NULL REFERENCES merchant_api_keys (id) ON DELETE CASCADE,
  data         jsonb NOT NULL,
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);

-- Subscriber growth per day reads a merchant's subscribers by creation time.
CREATE INDEX subscribers_created ON subscribers (merchant_id, created_at);

-- Changed campaigns are announced on channel `campaign_changes` when the transaction that changed
-- them commits, as JSON {"merchant": id, "campaigns": [ids]}; the api pushes them to open pages.
-- Statement-level triggers catch every writer (the sink, the dispatcher, the api) in one place.
-- A NOTIFY payload must stay under 8000 bytes: ids go out in chunks of 300.
CREATE FUNCTION announce_report_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  announcement record;
BEGIN
  FOR announcement IN
    SELECT json_build_object('merchant', merchant_id, 'campaigns', json_agg(source_id ORDER BY source_id))::text AS payload
    FROM (
      SELECT merchant_id, source_id,
             (row_number() OVER (PARTITION BY merchant_id ORDER BY source_id) - 1) / 300 AS chunk
      FROM (SELECT DISTINCT merchant_id, source_id FROM changed_rows WHERE source = 'campaign') AS distinct_changes
    ) AS numbered
    GROUP BY merchant_id, chunk
  LOOP
    PERFORM pg_notify('campaign_changes', announcement.payload);
  END LOOP;
  RETURN NULL;
END;
$$;

CREATE FUNCTION announce_campaign_row_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  announcement record;
BEGIN
  FOR announcement IN
    SELECT json_build_object('merchant', merchant_id, 'campaigns', json_agg(id ORDER BY id))::text AS payload
    FROM (
      SELECT merchant_id, id, (row_number() OVER (PARTITION BY merchant_id ORDER BY id) - 1) / 300 AS chunk
      FROM changed_rows
    ) AS numbered
    GROUP BY merchant_id, chunk
  LOOP
    PERFORM pg_notify('campaign_changes', announcement.payload);
  END LOOP;
  RETURN NULL;
END;
$$;

-- Transition tables allow one event per trigger, hence an insert and an update trigger each.
CREATE TRIGGER campaign_reports_inserted AFTER INSERT ON campaign_reports
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION announce_report_changes();
CREATE TRIGGER campaign_reports_updated AFTER UPDATE ON campaign_reports
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION announce_report_changes();
CREATE TRIGGER campaign_hourly_reports_inserted AFTER INSERT ON campaign_hourly_reports
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION announce_report_changes();
CREATE TRIGGER campaign_hourly_reports_updated AFTER UPDATE ON campaign_hourly_reports
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION announce_report_changes();
CREATE TRIGGER campaigns_inserted AFTER INSERT ON campaigns
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION announce_campaign_row_changes();
CREATE TRIGGER campaigns_updated AFTER UPDATE ON campaigns
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION announce_campaign_row_changes();

-- Down Migration
DROP TRIGGER campaigns_updated ON campaigns;
DROP TRIGGER campaigns_inserted ON campaigns;
DROP TRIGGER campaign_hourly_reports_updated ON campaign_hourly_reports;
DROP TRIGGER campaign_hourly_reports_inserted ON campaign_hourly_reports;
DROP TRIGGER campaign_reports_updated ON campaign_reports;
DROP TRIGGER campaign_reports_inserted ON campaign_reports;
DROP FUNCTION announce_campaign_row_changes();
DROP FUNCTION announce_report_changes();
DROP INDEX subscribers_created;
DROP TABLE dashboard_sessions;
ALTER TABLE merchants DROP COLUMN time_zone;
