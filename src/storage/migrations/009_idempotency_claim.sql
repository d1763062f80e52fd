-- An Idempotency-Key's claim is owned by one request (claim_token): only that request may complete
-- the key, inside the transaction that stores its result, and a claim still unfinished after a few
-- seconds may be taken over by a retry with a new token (docs/reliability.md). Keys claimed before
-- this migration have no token; a lapsed one is taken over the same way.
ALTER TABLE idempotency_keys ADD COLUMN claim_token text;
