-- Number intelligence (docs/number-vetting.md "Number vetting"): each tenant's own carrier gateway, the HTTP
-- call-out through which the bank asks Korean carriers about call forwarding. The signing secret is
-- envelope-encrypted under MASTER_KEY (context `carrier-gateway:<tenant id>`).
CREATE TABLE carrier_gateways (
  tenant_id text PRIMARY KEY REFERENCES tenants(id),
  url text NOT NULL,
  secret_enc text NOT NULL,
  timeout_ms integer NOT NULL CHECK (timeout_ms BETWEEN 100 AND 10000),
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
