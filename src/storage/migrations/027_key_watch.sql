-- Key protections, second part (docs/security.md "Key protections"): a key suspended on a strong signal
-- (or by an admin) is refused like a revoked one until an admin restores it; security events may go to
-- their own URL.
ALTER TABLE api_keys ADD COLUMN suspended_at timestamptz;
-- The signal that suspended it (`rate_spike`, `customer_enumeration`) or `admin`.
ALTER TABLE api_keys ADD COLUMN suspended_by text;
ALTER TABLE tenants ADD COLUMN security_callback_url text;
