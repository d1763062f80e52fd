-- Audit entries are first written to the inbox by the transaction that makes the audited change: a
-- plain insert, with no shared row to wait on. The audit sequencer moves them into audit_log in
-- batches, numbering and hash-chaining them under the audit_head row lock (src/audit/).
CREATE TABLE audit_inbox (
  id bigserial PRIMARY KEY,
  tenant_id text,
  actor text NOT NULL,
  action text NOT NULL,
  subject text,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
