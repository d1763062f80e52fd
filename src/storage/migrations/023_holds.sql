-- After approval: hold, tell, stop (docs/holds.md). A held challenge keeps its status; its hold moves
-- from 'held' to exactly one of 'released' or 'stopped', by a conditional UPDATE on hold_state.
-- hold_release_at is a column (not only in the jsonb) for the sweep's index.
ALTER TABLE challenges ADD COLUMN hold_state text CHECK (hold_state IN ('held', 'released', 'stopped'));
ALTER TABLE challenges ADD COLUMN hold_release_at timestamptz;
ALTER TABLE challenges ADD COLUMN hold jsonb;
CREATE INDEX challenges_held_release ON challenges (hold_release_at) WHERE hold_state = 'held';

-- The daily cumulative rule's history without stopped transfers: a stopped transfer never moved money,
-- so it leaves the customer's daily total (docs/policy-reference.md).
CREATE OR REPLACE FUNCTION stepup_day_total(p_tenant text, p_customer text, p_currency text, p_from timestamptz, p_to timestamptz)
RETURNS numeric LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT COALESCE(SUM(amount_minor), 0) FROM challenges
    WHERE tenant_id = p_tenant AND customer_id = p_customer AND transaction_type = 'transfer' AND currency = p_currency
      AND status IN ('approved', 'not_required') AND created_at >= p_from AND created_at < p_to
      AND hold_state IS DISTINCT FROM 'stopped');
END
$$;
