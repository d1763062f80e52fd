-- A phone enrolled for the notification calls of held transfers only (docs/holds.md, "The notification
-- phone"): for customers without an ARS phone. Stored like the ARS phone: encrypted, with a masked form.
CREATE TABLE ars_notification_phones (
  tenant_id text NOT NULL REFERENCES tenants(id),
  customer_id text NOT NULL,
  phone_enc text NOT NULL,
  phone_masked text NOT NULL,
  line_type text NOT NULL,
  call_forwarding boolean,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, customer_id)
);
