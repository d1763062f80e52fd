-- Customer page links carry the token that opens the page (docs/security.md, M1): they were kept
-- readable in a challenge's private state and in the stored answer of its idempotency key. From now
-- on a challenge keeps the link only sealed under MASTER_KEY (customerUrlSealed) and stored answers
-- never hold it; the readable copies written before are removed. The bank received each link when its
-- challenge was created.
UPDATE challenges SET channel_state = channel_state - 'customerUrl' WHERE channel_state ? 'customerUrl';
UPDATE idempotency_keys SET response = jsonb_set(response, '{customerUrl}', 'null'::jsonb)
 WHERE jsonb_typeof(response) = 'object' AND response ? 'customerUrl' AND response->'customerUrl' <> 'null'::jsonb;
UPDATE webhook_deliveries SET payload = jsonb_set(payload, '{customerUrl}', 'null'::jsonb)
 WHERE jsonb_typeof(payload) = 'object' AND payload ? 'customerUrl' AND payload->'customerUrl' <> 'null'::jsonb;
