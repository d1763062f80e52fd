// Admin tokens scoped to one tenant (docs/admin-api.md). Every admin route declares how a scoped
// token relates to it, and defineRoute enforces that declaration before the handler runs:
// - 'path': the route acts on the tenant in its `:id` path parameter; a scoped token naming any
//   other tenant gets the same 404 as a tenant that does not exist.
// - 'global': the route acts across tenants (tenants, admin tokens, receipt keys, the whole audit
//   chain); only global tokens may call it, a scoped token gets 403.
// - 'filtered': the handler narrows what it reads to `admin.tenantId` itself (the audit trail).
import { ProblemError, notFound } from '../errors/problem.ts';
import type { RouteDefinition } from './route.ts';

export type AdminTenantScope = 'path' | 'global' | 'filtered';

/** Admin paths below this prefix name a tenant; they must be declared 'path'. */
export const tenantPathPrefix = '/admin/v1/tenants/:id';

const namesTenant = (path: string) => path === tenantPathPrefix || path.startsWith(`${tenantPathPrefix}/`);

/** The route with its tenant-scope declaration checked at start-up and enforced on every call. */
export function enforceTenantScope(route: RouteDefinition): RouteDefinition {
  if (route.auth.kind !== 'admin') return route;
  const scope = route.auth.tenantScope;
  if (namesTenant(route.path) !== (scope === 'path')) {
    throw new Error(`${route.method.toUpperCase()} ${route.path}: admin routes under ${tenantPathPrefix} are declared tenantScope 'path', and only they`);
  }
  const handler = route.handler;
  return {
    ...route,
    handler: async (input) => {
      const tokenTenant = input.admin?.tenantId ?? null;
      if (tokenTenant !== null) {
        if (scope === 'global') throw new ProblemError('forbidden', 'This needs a token that is not scoped to a tenant');
        // Same answer as a tenant that does not exist: a scoped token learns nothing about others.
        if (scope === 'path' && (input.params as { id?: unknown }).id !== tokenTenant) throw notFound('tenant');
      }
      return handler(input);
    },
  };
}
