// GET /admin/v1/tenants/{id}/dashboard (docs/admin-api.md "Dashboard"): the console's charts and table.
import { z } from 'zod';
import type { Db } from '../storage/db.ts';
import type { TenantStore } from '../tenants/tenant-store.ts';
import type { PolicyStore } from '../tenants/policy-store.ts';
import type { Clock } from '../time/clock.ts';
import { notFound } from '../errors/problem.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import { tenantIdParams } from '../http/routes/tenant-admin-routes.ts';
import { tenantDashboard } from './tenant-dashboard.ts';

const counts = z.record(z.string(), z.number().int());
const dashboardView = z.object({
  days: z.number().int(),
  timezone: z.string(),
  from: z.string(),
  to: z.string(),
  series: z.array(
    z.object({
      day: z.string(),
      total: z.number().int(),
      byStatus: counts,
      steppedUp: z.number().int(),
      stepUpRate: z.number(),
      byChannel: counts,
      ars: z.object({ ended: z.number().int(), answered: z.number().int(), approved: z.number().int(), answerRate: z.number().nullable(), approvalRate: z.number().nullable() }),
      fraudReports: z.number().int(),
      holdsStopped: z.number().int(),
    }),
  ),
});

export function dashboardRoutes(deps: { db: Db; tenants: TenantStore; policies: PolicyStore; clock: Clock }): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/dashboard',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: "The tenant's last days, per day in the policy's time zone: challenges by status, step-up rate, channel mix, ARS answer and approval rates, fraud reports, holds stopped",
      tags: ['admin: tenants'],
      params: tenantIdParams,
      query: z.strictObject({ days: z.coerce.number().int().min(1).max(90).default(30) }),
      responses: { 200: { description: 'One entry per day, oldest first', schema: dashboardView } },
      handler: async ({ params, query }) => {
        if (!(await deps.tenants.get(params.id))) throw notFound('tenant');
        const { document } = await deps.policies.current(params.id);
        return { status: 200, body: await tenantDashboard(deps.db, { tenantId: params.id, timezone: document.timezone, days: query.days, now: deps.clock() }) };
      },
    }),
  ];
}
