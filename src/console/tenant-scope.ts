// Scoped admin tokens (docs/console.md) see only their own tenant: another tenant's resources answer
// 404, exactly like ones that do not exist. Principals without a scope see every tenant.
import { notFound } from '../errors/problem.ts';
import type { AdminPrincipal } from '../http/route.ts';

export function assertTenantInScope(admin: AdminPrincipal | undefined, tenantId: string): void {
  const scope = (admin as { tenantId?: string | null } | undefined)?.tenantId;
  if (scope && scope !== tenantId) throw notFound('tenant');
}
