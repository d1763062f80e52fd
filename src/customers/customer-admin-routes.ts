// The customer for admins (docs/console.md): the same enrollment summary the bank reads, and erasure,
// within one tenant (and within a scoped token's own tenant only).
import { z } from 'zod';
import type { AppContext } from '../server/build-context.ts';
import type { ChannelModule } from '../channels/channel-module.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { notFound } from '../errors/problem.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import { customerIdSchema } from '../http/schemas.ts';
import { customerExists } from './customer-store.ts';

const adminCustomerParams = z.strictObject({ id: z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/), customerId: customerIdSchema });

export function customerAdminRoutes(context: AppContext, modules: ChannelModule[]): RouteDefinition[] {
  const { db } = context;
  return [
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/customers/:customerId',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: 'Enrollment summary of a customer: masked phone, security number set, lock state, tokens, passkeys',
      tags: ['admin: customers'],
      params: adminCustomerParams,
      responses: { 200: { description: 'The summary (never a secret or a full number)', schema: z.record(z.string(), z.unknown()) } },
      handler: async ({ params }) => {
        const grade = await db.query<{ grade: string | null; created_at: Date }>('SELECT grade, created_at FROM customers WHERE tenant_id = $1 AND customer_id = $2', [params.id, params.customerId]);
        const row = grade.rows[0];
        if (!row) throw notFound('customer');
        let summary: Record<string, unknown> = { customerId: params.customerId, grade: row.grade, createdAt: row.created_at.toISOString(), passkeys: 0 };
        const consoleParts: Record<string, unknown> = {};
        for (const module of modules) {
          if (module.describeCustomer) summary = { ...summary, ...(await module.describeCustomer(context, params.id, params.customerId)) };
          if (module.consoleCustomer) consoleParts[module.name] = await module.consoleCustomer(context, params.id, params.customerId);
        }
        // What the console's customer page shows of each module (docs/console.md), rendered without knowing the module.
        return { status: 200, body: { ...summary, console: consoleParts } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/admin/v1/tenants/:id/customers/:customerId',
      auth: { kind: 'admin', role: 'operator', tenantScope: 'path' },
      summary: "Erase the customer's secrets and credentials (every channel), in one transaction; audited",
      tags: ['admin: customers'],
      params: adminCustomerParams,
      responses: { 204: { description: 'Erased' } },
      handler: async ({ params, admin }) => {
        await db.tx(async (tx) => {
          if (!(await customerExists(tx, params.id, params.customerId))) throw notFound('customer');
          for (const module of modules) await module.eraseCustomer?.(context, tx, params.id, params.customerId);
          await tx.query('DELETE FROM customers WHERE tenant_id = $1 AND customer_id = $2', [params.id, params.customerId]);
          await appendAudit(tx, { tenantId: params.id, actor: admin!.actor, action: 'customer.erased', subject: params.customerId, data: {} });
        });
        return { status: 204 };
      },
    }),
  ];
}
