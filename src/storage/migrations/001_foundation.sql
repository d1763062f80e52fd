-- Foundation schema: tenants, keys, policies, customers, challenges, idempotency, events, receipts, audit.

CREATE TABLE tenants (
  id text PRIMARY KEY,
  name text NOT NULL,
  bank_name text NOT NULL,
  webhook_secret_enc text NOT NULL,
  default_callback_url text,
  allow_loopback_callbacks boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  key_id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  alg text NOT NULL CHECK (alg IN ('hmac-sha256', 'ed25519')),
  secret_enc text,
  public_key_pem text,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE admin_tokens (
  id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('viewer', 'operator', 'policy-admin', 'superadmin')),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

CREATE TABLE policy_versions (
  tenant_id text NOT NULL REFERENCES tenants(id),
  version integer NOT NULL,
  document jsonb NOT NULL,
  author text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, version)
);

CREATE TABLE customers (
  tenant_id text NOT NULL REFERENCES tenants(id),
  customer_id text NOT NULL,
  grade text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, customer_id)
);

CREATE TABLE challenges (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  customer_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'canceled', 'failed', 'not_required')),
  transaction_type text NOT NULL,
  transaction_masked jsonb NOT NULL,
  transaction_enc text NOT NULL,
  transaction_hash text NOT NULL,
  amount_minor numeric(30, 0),
  currency text,
  context jsonb NOT NULL,
  decision jsonb NOT NULL,
  policy_version integer NOT NULL,
  channel text,
  channel_state jsonb NOT NULL DEFAULT '{}'::jsonb,
  locale text NOT NULL,
  callback_url text,
  result_reason text,
  fraud_reported boolean NOT NULL DEFAULT false,
  receipt text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX challenges_customer_day ON challenges (tenant_id, customer_id, created_at);
CREATE INDEX challenges_pending_expiry ON challenges (expires_at) WHERE status = 'pending';

CREATE TABLE idempotency_keys (
  tenant_id text NOT NULL,
  idempotency_key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, idempotency_key)
);

CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  challenge_id text NOT NULL,
  event_type text NOT NULL,
  url text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries (tenant_id, created_at);

CREATE TABLE webhook_attempts (
  delivery_id text NOT NULL REFERENCES webhook_deliveries(id),
  attempt integer NOT NULL,
  attempted_at timestamptz NOT NULL DEFAULT now(),
  status_code integer,
  error text,
  duration_ms integer NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE receipt_keys (
  kid text PRIMARY KEY,
  private_jwk_enc text NOT NULL,
  public_jwk jsonb NOT NULL,
  active boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);

CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  tenant_id text,
  actor text NOT NULL,
  action text NOT NULL,
  subject text,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, seq);

-- The head of the hash chain: one row whose update serialises appenders (its row lock is held to
-- commit) and computes the next link in the same statement.
CREATE TABLE audit_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL,
  prev_hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash, prev_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', '');

-- At most one active receipt signing key; concurrent starters race on this index and the loser re-reads.
CREATE UNIQUE INDEX receipt_keys_one_active ON receipt_keys (active) WHERE active;
