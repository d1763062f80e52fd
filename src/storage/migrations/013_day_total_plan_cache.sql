-- stepup_day_total as PL/pgSQL: a LANGUAGE sql function that cannot be inlined (this one aggregates)
-- is parsed and planned again at every call, which cost about 0.2 ms of PostgreSQL CPU per step-up
-- decision (BENCHMARKS.md); PL/pgSQL keeps the plan of its statement for the session. Same sum, same
-- snapshot rules: a STABLE function reads with its caller's snapshot, so stepup_locked_day_total
-- (VOLATILE) still sees every decision committed before its lock was granted.
CREATE OR REPLACE FUNCTION stepup_day_total(p_tenant text, p_customer text, p_currency text, p_from timestamptz, p_to timestamptz)
RETURNS numeric LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT COALESCE(SUM(amount_minor), 0) FROM challenges
    WHERE tenant_id = p_tenant AND customer_id = p_customer AND transaction_type = 'transfer' AND currency = p_currency
      AND status IN ('approved', 'not_required') AND created_at >= p_from AND created_at < p_to);
END
$$;
