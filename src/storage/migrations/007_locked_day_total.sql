-- The daily cumulative rule's history (docs/policy-reference.md): a customer's approved and not-required transfers
-- in one currency within [p_from, p_to). The one definition of that sum.
CREATE FUNCTION stepup_day_total(p_tenant text, p_customer text, p_currency text, p_from timestamptz, p_to timestamptz)
RETURNS numeric LANGUAGE sql STABLE AS $$
  SELECT COALESCE(SUM(amount_minor), 0) FROM challenges
  WHERE tenant_id = p_tenant AND customer_id = p_customer AND transaction_type = 'transfer' AND currency = p_currency
    AND status IN ('approved', 'not_required') AND created_at >= p_from AND created_at < p_to
$$;

-- The same sum read under the customer's decision lock, for deciding and inserting a not_required
-- challenge in one statement: the lock is held until that statement's transaction ends, and the
-- sum is read only once the lock is granted. VOLATILE on purpose: a volatile function's queries
-- each take a fresh snapshot, so the sum sees every decision committed before the lock was
-- granted, while the calling statement's own snapshot predates the lock.
CREATE FUNCTION stepup_locked_day_total(p_lock bigint, p_tenant text, p_customer text, p_currency text, p_from timestamptz, p_to timestamptz)
RETURNS numeric LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock);
  RETURN stepup_day_total(p_tenant, p_customer, p_currency, p_from, p_to);
END
$$;
