// The customer as a whole (docs/bank-api.md, docs/admin-api.md): the enrollment summary every channel module contributes
// to, erasure of everything stored about the customer, and the admin unlock.
import { z } from 'zod';
import type { AppContext } from '../server/build-context.ts';
import type { ChannelModule } from '../channels/channel-module.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { notFound } from '../errors/problem.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import { customerIdSchema } from '../http/schemas.ts';
import { customerParams } from './customer-params.ts';
import { customerExists } from './customer-store.ts';

const adminCustomerParams = z.strictObject({ id: z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/), customerId: customerIdSchema });

// The summary names a passkey count: the WebAuthn module's describeCustomer fills it in (0 without that module).
const coreSummary = { customerId: z.string(), passkeys: z.number().int().describe('Registered passkeys (0 while the WebAuthn channel is not available)') };

export function customerRoutes(context: AppContext, modules: ChannelModule[]): RouteDefinition[] {
  const { db } = context;
  const summarySchema = z.object(Object.assign({}, coreSummary, ...modules.map((module) => module.customerSummary ?? {})));

  return [
    defineRoute({
      method: 'get',
      path: '/v1/customers/:customerId',
      auth: { kind: 'bank' },
      summary: 'Enrollment summary: masked phone, security number set, lock state, tokens, passkeys',
      tags: ['customers'],
      params: customerParams,
      responses: { 200: { description: 'The summary (never a secret or a full number)', schema: summarySchema } },
      handler: async ({ params, bank }) => {
        const tenantId = bank!.tenantId;
        if (!(await customerExists(db, tenantId, params.customerId))) throw notFound('customer');
        let summary: Record<string, unknown> = { customerId: params.customerId, passkeys: 0 };
        for (const module of modules) {
          if (module.describeCustomer) summary = { ...summary, ...(await module.describeCustomer(context, tenantId, params.customerId)) };
        }
        return { status: 200, body: summary };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/customers/:customerId',
      auth: { kind: 'bank' },
      summary: "Erase the customer's secrets and credentials (every channel), in one transaction",
      tags: ['customers'],
      params: customerParams,
      responses: { 204: { description: 'Erased' } },
      handler: async ({ params, bank }) => {
        const tenantId = bank!.tenantId;
        await db.tx(async (tx) => {
          for (const module of modules) await module.eraseCustomer?.(context, tx, tenantId, params.customerId);
          const removed = await tx.query('DELETE FROM customers WHERE tenant_id = $1 AND customer_id = $2', [tenantId, params.customerId]);
          if (removed.rowCount === 0) throw notFound('customer');
          await appendAudit(tx, { tenantId, actor: `bank:${bank!.keyId}`, action: 'customer.erased', subject: params.customerId, data: {} });
        });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/v1/tenants/:id/customers/:customerId/unlock',
      auth: { kind: 'admin', role: 'operator', tenantScope: 'path' },
      summary: "Lift the customer's channel locks (ARS after too many wrong answers, OTP tokens)",
      tags: ['admin: customers'],
      params: adminCustomerParams,
      body: z.strictObject({ reason: z.string().trim().min(1).max(500).describe('Why (kept in the audit entry)') }).optional(),
      responses: { 200: { description: 'What was unlocked', schema: z.object({ customerId: z.string(), unlocked: z.array(z.string()) }) } },
      handler: async ({ params, body, admin }) => {
        const unlocked = await db.tx(async (tx) => {
          if (!(await customerExists(tx, params.id, params.customerId))) throw notFound('customer');
          const lifted: string[] = [];
          for (const module of modules) lifted.push(...((await module.unlockCustomer?.(context, tx, params.id, params.customerId)) ?? []));
          await appendAudit(tx, { tenantId: params.id, actor: admin!.actor, action: 'customer.unlocked', subject: params.customerId, data: { unlocked: lifted, ...(body?.reason ? { reason: body.reason } : {}) } });
          return lifted;
        });
        return { status: 200, body: { customerId: params.customerId, unlocked } };
      },
    }),
  ];
}
