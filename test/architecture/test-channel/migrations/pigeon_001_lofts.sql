-- The pigeon's own table (test/architecture/one-line-channel.test.ts): created only where the module is registered.
CREATE TABLE pigeon_lofts (
  tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  customer_id text NOT NULL,
  pigeons integer NOT NULL CHECK (pigeons >= 0),
  PRIMARY KEY (tenant_id, customer_id)
);
