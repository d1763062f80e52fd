-- What a channel may read of challenges in SQL (docs/architecture.md, "Tables have owners"): the core
-- owns the challenges table; a channel joins its own rows to a challenge's key, channel, status and
-- times through this view, and reads or ends a whole challenge only through ChallengeOutcomes. The view
-- is read-only: writing through it raises, so a channel cannot move a challenge behind the core's back.
CREATE VIEW challenge_states AS
  SELECT tenant_id, id, channel, status, created_at, completed_at FROM challenges;

CREATE FUNCTION challenge_states_refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'challenge_states is read-only: a challenge ends through ChallengeOutcomes.finish'
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER challenge_states_read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON challenge_states
  FOR EACH ROW EXECUTE FUNCTION challenge_states_refuse_write();
