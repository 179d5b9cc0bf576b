-- Up Migration

-- Revenue per currency: amounts in different currencies are never added. The map holds minor
-- units per ISO 4217 code ({"USD": 1999, "JPY": 1700}); revenue_minor and currency keep their
-- meaning for existing readers: the revenue in the campaign's first currency, and that currency.
ALTER TABLE campaign_reports ADD COLUMN revenue_by_currency jsonb NOT NULL DEFAULT '{}';
ALTER TABLE campaign_hourly_reports ADD COLUMN revenue_by_currency jsonb NOT NULL DEFAULT '{}';

-- Rows written before knew one currency; their sum is the best there is.
UPDATE campaign_reports SET revenue_by_currency = jsonb_build_object(currency, revenue_minor)
WHERE currency IS NOT NULL AND revenue_minor <> 0;
UPDATE campaign_hourly_reports SET revenue_by_currency = jsonb_build_object(currency, revenue_minor)
WHERE currency IS NOT NULL AND revenue_minor <> 0;

-- Down Migration
ALTER TABLE campaign_hourly_reports DROP COLUMN revenue_by_currency;
ALTER TABLE campaign_reports DROP COLUMN revenue_by_currency;
