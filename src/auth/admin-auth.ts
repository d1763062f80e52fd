// Admin bearer tokens (docs/admin-api.md): the bootstrap ADMIN_TOKEN is a superadmin; further tokens are
// stored as SHA-256 hashes with one role each. Roles are ranked: a higher role can do what a lower one can.
// A stored token may be scoped to one tenant: it keeps its role, but only within that tenant (a scoped
// superadmin is that tenant's superadmin, not a global one; docs/admin-api.md).
import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../storage/db.ts';
import { constantTimeEqual, newId, sha256Hex } from '../crypto/hashing.ts';
import { ProblemError } from '../errors/problem.ts';
import type { AdminPrincipal, AdminRole } from '../http/route.ts';

export const adminRoles: AdminRole[] = ['viewer', 'operator', 'policy-admin', 'superadmin'];
const rank = (role: AdminRole) => adminRoles.indexOf(role);

export class AdminAuthenticator {
  constructor(
    private readonly db: Db,
    private readonly bootstrapToken: string | undefined,
  ) {}

  async authenticate(header: string | undefined, required: AdminRole): Promise<AdminPrincipal> {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{16,200})$/.exec(header ?? '');
    if (!match) throw new ProblemError('unauthorized', 'A bearer token is required');
    const token = match[1]!;
    let principal: AdminPrincipal | undefined;
    if (this.bootstrapToken && constantTimeEqual(token, this.bootstrapToken)) {
      principal = { tokenId: 'bootstrap', role: 'superadmin', actor: 'admin:bootstrap', tenantId: null };
    } else {
      const result = await this.db.query<{ id: string; role: AdminRole; name: string; tenant_id: string | null }>(
        'SELECT id, role, name, tenant_id FROM admin_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
        [sha256Hex(token)],
      );
      const row = result.rows[0];
      if (row) principal = { tokenId: row.id, role: row.role, actor: `admin:${row.name}`, tenantId: row.tenant_id };
    }
    if (!principal) throw new ProblemError('unauthorized', 'The token is not valid');
    if (rank(principal.role) < rank(required)) throw new ProblemError('forbidden', `This needs the ${required} role`);
    return principal;
  }

  /** `tenantId` scopes the token to that tenant (which the caller has checked exists); absent, it is global. */
  async issue(tx: Queryable, input: { name: string; role: AdminRole; tenantId?: string | undefined }): Promise<{ id: string; token: string }> {
    const id = newId('adm', 9);
    const token = `sua_${randomBytes(32).toString('base64url')}`;
    await tx.query('INSERT INTO admin_tokens (id, token_hash, role, name, tenant_id) VALUES ($1, $2, $3, $4, $5)', [
      id,
      sha256Hex(token),
      input.role,
      input.name,
      input.tenantId ?? null,
    ]);
    return { id, token };
  }

  async revoke(tx: Queryable, id: string): Promise<boolean> {
    const result = await tx.query('UPDATE admin_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
    return result.rowCount > 0;
  }

  async list() {
    const result = await this.db.query<{ id: string; role: string; name: string; tenant_id: string | null; created_at: Date; revoked_at: Date | null }>(
      'SELECT id, role, name, tenant_id, created_at, revoked_at FROM admin_tokens ORDER BY created_at',
    );
    return result.rows.map((row) => ({
      id: row.id,
      role: row.role,
      name: row.name,
      tenantId: row.tenant_id,
      createdAt: row.created_at.toISOString(),
      revokedAt: row.revoked_at?.toISOString() ?? null,
    }));
  }
}
