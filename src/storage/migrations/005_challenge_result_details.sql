-- Why a challenge ended, for the bank (docs/bank-api.md `result.details`, docs/events.md): e.g. the vetting
-- reasons of `failed` / `number_ineligible` or the spent budget of `call_cap_reached`. Public data
-- only: reason codes and names, never a number or a secret. NULL when the reason says it all.
ALTER TABLE challenges ADD COLUMN result_details jsonb;
