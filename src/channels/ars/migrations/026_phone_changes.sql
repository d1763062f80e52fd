-- A changed ARS phone (docs/ars-channel.md, "A changed number").
--
-- The number-change cooldown survives erasure: one mark per customer whose number changed or who was
-- erased with a phone, keyed by an HMAC of the tenant and customer id under a key derived from
-- MASTER_KEY (prefixed with that key's id), with the time of the change. Nothing personal: no id,
-- no number. An enrolment that finds a mark is a number change. Marks are deleted after a year.
CREATE TABLE ars_number_change_marks (
  tenant_id text NOT NULL REFERENCES tenants(id),
  customer_mark text NOT NULL,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, customer_mark)
);
CREATE INDEX ars_number_change_marks_changed ON ars_number_change_marks (changed_at);

-- Set when the customer pressed 9 on the call to the old number: ARS refuses the number until the
-- bank enrols a number again or an admin restores it (unlock).
ALTER TABLE ars_customers ADD COLUMN phone_suspended_at timestamptz;

-- The notification call to the old number, one per change. The old number is kept encrypted only
-- until its call has ended; the new number only as its keyed hash (to suspend that number and no other).
CREATE TABLE ars_phone_change_notices (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  customer_id text NOT NULL,
  locale text NOT NULL,
  old_phone_enc text,
  new_phone_hash text NOT NULL,
  new_phone_masked text NOT NULL,
  changed_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'dialing', 'answered', 'ended')),
  call_sid text,
  answered_by text,
  ask_seq integer NOT NULL DEFAULT 0,
  last_step jsonb,
  outcome text,
  disputed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz
);
CREATE INDEX ars_phone_change_notices_customer ON ars_phone_change_notices (tenant_id, customer_id);
CREATE INDEX ars_phone_change_notices_pending ON ars_phone_change_notices (created_at) WHERE status = 'pending';
