-- The notification calls of held transfers (docs/holds.md): one row per call, claimed once per
-- (challenge, seq) so two workers or a job and the sweep never both dial the same notification.
-- Webhooks are bound to the row and its call; `outcome` is what the bank sees in hold.notifications.
CREATE TABLE hold_notifications (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  challenge_id text NOT NULL,
  seq integer NOT NULL,
  status text NOT NULL CHECK (status IN ('dialing', 'answered', 'ended')),
  call_sid text,
  answered_by text,
  ask_seq integer NOT NULL DEFAULT 0,
  last_step jsonb,
  outcome text,
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  UNIQUE (tenant_id, challenge_id, seq)
);
