-- Key protections (docs/security.md "Key protections"): where a key may be used from, until when, and
-- where and when it was last used.
ALTER TABLE api_keys ADD COLUMN allowed_networks jsonb;
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;
ALTER TABLE api_keys ADD COLUMN last_used_from text;
