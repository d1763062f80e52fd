-- The bank's name per call locale (docs/admin-api.md): {"ko-KR": "스텝업은행", "en-US": "Stepup Bank"}.
-- A locale without an entry is greeted with bank_name.
ALTER TABLE tenants ADD COLUMN bank_names jsonb NOT NULL DEFAULT '{}'::jsonb;
