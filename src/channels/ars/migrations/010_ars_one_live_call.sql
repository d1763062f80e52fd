-- One live ARS call per customer (docs/ars-channel.md, "One live call per customer"): the dialer
-- looks up the customer's attempts that are not ended before it claims a new one.
CREATE INDEX ars_call_attempts_customer_live ON ars_call_attempts (tenant_id, customer_id) WHERE status <> 'ended';
