-- OTP tokens (docs/otp-channel.md otp-tokens, §10): OCRA (RFC 6287) and TOTP (RFC 6238) seeds, envelope-encrypted,
-- with the state that makes a code acceptable once. Keyed by (tenant_id, customer_id) without a
-- foreign key to customers: the customer row is upserted on import, and erasure deletes tokens.

CREATE TABLE otp_tokens (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  customer_id text NOT NULL,
  type text NOT NULL CHECK (type IN ('ocra', 'totp')),
  -- OCRA: the suite string and the question derivation fixed at enrollment.
  suite text,
  question_derivation text CHECK (question_derivation IN ('payee_account', 'payee_account_amount')),
  -- TOTP: RFC 6238 parameters.
  algorithm text CHECK (algorithm IN ('sha1', 'sha256', 'sha512')),
  digits integer,
  period integer,
  seed_enc text NOT NULL,
  -- OCRA counter suites: the next counter value the server expects (advanced only after a success).
  counter bigint,
  -- TOTP: the time step of the last accepted code (codes at or before it are refused, RFC 6238 §5.2).
  last_time_step bigint,
  consecutive_failures integer NOT NULL DEFAULT 0,
  locked_at timestamptz,
  label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  CHECK ((type = 'ocra' AND suite IS NOT NULL AND question_derivation IS NOT NULL)
      OR (type = 'totp' AND algorithm IS NOT NULL AND digits IS NOT NULL AND period IS NOT NULL))
);
CREATE INDEX otp_tokens_customer ON otp_tokens (tenant_id, customer_id, created_at);

-- OCRA suites without a counter give the same response to the same question (within one time step
-- for T suites): each accepted (question, step, response) is remembered as a keyed marker so it is
-- accepted once.
CREATE TABLE otp_used_responses (
  tenant_id text NOT NULL,
  token_id text NOT NULL REFERENCES otp_tokens(id) ON DELETE CASCADE,
  marker text NOT NULL,
  used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, token_id, marker)
);

-- Per-challenge code submissions (docs/otp-channel.md: failed attempts count per challenge). A submission
-- reserves an attempt here first; the row lock orders concurrent submissions for one challenge.
CREATE TABLE otp_challenge_attempts (
  tenant_id text NOT NULL,
  challenge_id text NOT NULL,
  attempts integer NOT NULL,
  accepted boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, challenge_id)
);
