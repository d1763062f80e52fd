// GET /admin/v1/tenants/{id}/dashboard (docs/admin-api.md "Dashboard"): the console's charts and table,
// with each channel module's figures (ChannelModule.dashboard) under its name.
import { z } from 'zod';
import type { Db } from '../storage/db.ts';
import type { TenantStore } from '../tenants/tenant-store.ts';
import type { PolicyStore } from '../tenants/policy-store.ts';
import type { Clock } from '../time/clock.ts';
import type { ChannelHost, ChannelModule, ModuleDashboard } from '../channels/channel-module.ts';
import { notFound } from '../errors/problem.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import { tenantIdParams } from '../http/routes/tenant-admin-routes.ts';
import { coreDayKeys, tenantDashboard, type DashboardModule } from './tenant-dashboard.ts';

const counts = z.record(z.string(), z.number().int());

/** One module's figures in a day: its declared keys, counts whole, rates a fraction or null. */
const figuresSchema = (dashboard: ModuleDashboard) =>
  z.object(Object.fromEntries(dashboard.figures.map((figure) => [figure.key, (figure.kind === 'count' ? z.number().int() : z.number().nullable()).describe(figure.label['en-US'])]))).describe(dashboard.title['en-US']);

const dashboardViewFor = (modules: readonly DashboardModule[]) =>
  z.object({
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
        ...Object.fromEntries(modules.map((module) => [module.name, figuresSchema(module.dashboard)])),
        fraudReports: z.number().int(),
        holdsStopped: z.number().int(),
      }),
    ),
  });

/** The modules that declare dashboard figures; a module named like one of the day's own keys stops the server. */
function dashboardModules(modules: readonly Pick<ChannelModule, 'name' | 'dashboard'>[]): DashboardModule[] {
  const found = modules.flatMap((module) => (module.dashboard ? [{ name: module.name, dashboard: module.dashboard }] : []));
  const clash = found.find((module) => coreDayKeys.includes(module.name));
  if (clash) throw new Error(`the ${clash.name} module's dashboard figures would take the dashboard's own "${clash.name}": rename the module`);
  return found;
}

/**
 * Each module's figures in one day of the dashboard's OpenAPI example (buildOpenApi): the day it
 * declares (`dashboard.example`), a figure it leaves out 0 (a count) or null (a rate), as in the answer.
 */
export function dashboardExampleFigures(modules: readonly Pick<ChannelModule, 'name' | 'dashboard'>[]): Record<string, Record<string, number | null>> {
  return Object.fromEntries(
    dashboardModules(modules).map(({ name, dashboard }) => [
      name,
      Object.fromEntries(dashboard.figures.map((figure) => [figure.key, dashboard.example?.[figure.key] ?? (figure.kind === 'count' ? 0 : null)])),
    ]),
  );
}

export function dashboardRoutes(deps: { db: Db; tenants: TenantStore; policies: PolicyStore; clock: Clock; modules?: readonly Pick<ChannelModule, 'name' | 'dashboard'>[]; host?: ChannelHost }): RouteDefinition[] {
  const modules = dashboardModules(deps.modules ?? []);
  const figuresOf = deps.host && modules.length > 0 ? { modules, host: deps.host } : undefined;
  return [
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/dashboard',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: "The tenant's last days, per day in the policy's time zone: challenges by status, step-up rate, channel mix, fraud reports, holds stopped, and each channel module's figures (the ARS answer and approval rates)",
      tags: ['admin: tenants'],
      params: tenantIdParams,
      query: z.strictObject({ days: z.coerce.number().int().min(1).max(90).default(30) }),
      responses: { 200: { description: 'One entry per day, oldest first', schema: dashboardViewFor(figuresOf ? modules : []) } },
      handler: async ({ params, query }) => {
        if (!(await deps.tenants.get(params.id))) throw notFound('tenant');
        const { document } = await deps.policies.current(params.id);
        return { status: 200, body: await tenantDashboard(deps.db, { tenantId: params.id, timezone: document.timezone, days: query.days, now: deps.clock() }, figuresOf) };
      },
    }),
  ];
}
