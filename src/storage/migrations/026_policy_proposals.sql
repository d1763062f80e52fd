-- Maker-checker for policy (docs/admin-api.md "Maker-checker"): a change waits as a proposal until a
-- different admin approves it. State moves from 'proposed' to exactly one end, by a conditional UPDATE
-- under the row lock; the approvals are kept with the proposal.
CREATE TABLE policy_proposals (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  state text NOT NULL CHECK (state IN ('proposed', 'approved', 'rejected', 'withdrawn', 'expired', 'stale')),
  base_version integer NOT NULL,
  document jsonb NOT NULL,
  diff jsonb NOT NULL,
  weakens jsonb NOT NULL,
  backtest jsonb,
  author text NOT NULL,
  author_token_id text NOT NULL,
  approvals_required integer NOT NULL,
  approvals jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  closed_at timestamptz,
  closed_by text,
  close_reason text,
  break_glass boolean NOT NULL DEFAULT false,
  applied_version integer
);
CREATE INDEX policy_proposals_tenant ON policy_proposals (tenant_id, created_at DESC);

-- The tenant's maker-checker setting; NULL (tenants created before it) means off. New tenants get it on.
ALTER TABLE tenants ADD COLUMN policy_approval jsonb;

-- The backtest reads a tenant's decisions in time order, in keyset pages (src/backtest/).
CREATE INDEX challenges_tenant_created ON challenges (tenant_id, created_at, id);
