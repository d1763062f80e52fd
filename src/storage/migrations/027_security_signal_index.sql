-- The console's Security page and GET /admin/v1/security-signals read the security signals out of the
-- audit trail, newest first: partial indexes keep that a short read however long the trail grows.
CREATE INDEX IF NOT EXISTS audit_log_security_signals_tenant ON audit_log (tenant_id, seq) WHERE action IN ('security.key_anomaly', 'security.admin_new_network');
CREATE INDEX IF NOT EXISTS audit_log_security_signals ON audit_log (seq) WHERE action IN ('security.key_anomaly', 'security.admin_new_network');
