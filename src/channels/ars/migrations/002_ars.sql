-- ARS channel (docs/ars-channel.md): the customer's phone and knowledge secret, the lock, recent position
-- sets, and one row per call attempt (webhooks are bound to it).

CREATE TABLE ars_customers (
  tenant_id text NOT NULL REFERENCES tenants(id),
  customer_id text NOT NULL,
  -- Envelope-encrypted E.164 (MASTER_KEY), the masked form shown to banks, and an HMAC of the
  -- E.164 under a key derived from the master key, prefixed with that key's id (per-number lookups
  -- without decrypting; recomputed when the number is enrolled again).
  phone_enc text,
  phone_masked text,
  phone_hash text,
  line_type text,
  call_forwarding boolean,
  -- Null for the first number; set when a different number replaces it (cooldown, docs/ars-channel.md).
  number_changed_at timestamptz,
  secret_enc text,
  secret_length integer,
  consecutive_failures integer NOT NULL DEFAULT 0,
  locked_at timestamptz,
  -- The last three position sets asked, newest last (never asked again right away).
  recent_positions jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, customer_id)
);
CREATE INDEX ars_customers_phone_hash ON ars_customers (tenant_id, phone_hash);

CREATE TABLE ars_call_attempts (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  challenge_id text NOT NULL,
  customer_id text NOT NULL,
  attempt_number integer NOT NULL,
  call_sid text,
  status text NOT NULL CHECK (status IN ('claimed', 'dialing', 'answered', 'ended')),
  end_reason text,
  answered_by text,
  positions jsonb,
  ask_seq integer NOT NULL DEFAULT 0,
  last_step jsonb,
  answers_given integer NOT NULL DEFAULT 0,
  no_inputs integer NOT NULL DEFAULT 0,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz,
  ended_at timestamptz,
  UNIQUE (tenant_id, challenge_id, attempt_number)
);
CREATE INDEX ars_call_attempts_challenge ON ars_call_attempts (tenant_id, challenge_id);
