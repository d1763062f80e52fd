-- Admin tokens scoped to one tenant (docs/admin-api.md): NULL is a global token; a tenant id limits
-- the token to that tenant's resources and audit entries.
ALTER TABLE admin_tokens ADD COLUMN tenant_id text REFERENCES tenants(id);
