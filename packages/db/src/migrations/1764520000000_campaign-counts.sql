-- Up Migration

-- How many campaigns each merchant has per status, for the dashboard list's "1–20 of 10,000":
-- counting the rows costs a scan of the merchant's campaigns on every page. Row triggers keep it
-- in the same transaction as the change; only inserts, deletes and status changes touch it.
CREATE TABLE merchant_campaign_counts (
  merchant_id  text NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
  status       text NOT NULL,
  campaigns    bigint NOT NULL CHECK (campaigns >= 0),
  PRIMARY KEY (merchant_id, status)
);

INSERT INTO merchant_campaign_counts (merchant_id, status, campaigns)
SELECT merchant_id, status, count(*) FROM campaigns GROUP BY merchant_id, status;

CREATE FUNCTION count_campaign_statuses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE merchant_campaign_counts SET campaigns = campaigns - 1
    WHERE merchant_id = OLD.merchant_id AND status = OLD.status;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO merchant_campaign_counts (merchant_id, status, campaigns) VALUES (NEW.merchant_id, NEW.status, 1)
    ON CONFLICT (merchant_id, status) DO UPDATE SET campaigns = merchant_campaign_counts.campaigns + 1;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER campaigns_counted_insert AFTER INSERT ON campaigns
  FOR EACH ROW EXECUTE FUNCTION count_campaign_statuses();
CREATE TRIGGER campaigns_counted_delete AFTER DELETE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION count_campaign_statuses();
CREATE TRIGGER campaigns_counted_status AFTER UPDATE OF status ON campaigns
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION count_campaign_statuses();

-- Down Migration
DROP TRIGGER campaigns_counted_status ON campaigns;
DROP TRIGGER campaigns_counted_delete ON campaigns;
DROP TRIGGER campaigns_counted_insert ON campaigns;
DROP FUNCTION count_campaign_statuses();
DROP TABLE merchant_campaign_counts;
