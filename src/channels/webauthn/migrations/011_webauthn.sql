-- WebAuthn passkeys (docs/webauthn-channel.md): credentials, one-time registration links and the
-- confirmation pages of webauthn challenges. Keyed by (tenant_id, customer_id) without a foreign key
-- to customers, like otp_tokens: erasure deletes these rows with the customer.

CREATE TABLE webauthn_credentials (
  tenant_id text NOT NULL,
  -- The credential id as the authenticator gave it (base64url).
  id text NOT NULL,
  customer_id text NOT NULL,
  -- COSE public key (base64url); not a secret.
  public_key text NOT NULL,
  sign_count bigint NOT NULL DEFAULT 0,
  transports jsonb NOT NULL DEFAULT '[]',
  device_type text NOT NULL,
  backed_up boolean NOT NULL,
  -- Registered with the `payment` extension (Secure Payment Confirmation capable).
  payment boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webauthn_credentials_customer ON webauthn_credentials (tenant_id, customer_id, created_at);

-- One-time registration links: only the SHA-256 of the link's token is stored.
CREATE TABLE webauthn_registration_links (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  customer_id text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  locale text NOT NULL,
  display_name text,
  -- The registration ceremony's current challenge (rotated on every options request).
  ceremony_challenge text,
  -- The ceremony asked for a payment-capable credential (the `payment` extension).
  ceremony_payment boolean NOT NULL DEFAULT false,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webauthn_registration_links_customer ON webauthn_registration_links (tenant_id, customer_id);

-- The confirmation page of a webauthn challenge: its token's hash, the nonce of the assertion in
-- flight (consumed by the verification that uses it) and the failed assertions so far.
CREATE TABLE webauthn_confirmations (
  tenant_id text NOT NULL,
  challenge_id text NOT NULL,
  customer_id text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  nonce text,
  failures integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, challenge_id)
);
CREATE INDEX webauthn_confirmations_customer ON webauthn_confirmations (tenant_id, customer_id);
