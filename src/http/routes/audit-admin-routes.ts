import { z } from 'zod';
import type { Db } from '../../storage/db.ts';
import type { AdminAuthenticator } from '../../auth/admin-auth.ts';
import type { ReceiptSigner } from '../../receipts/receipt-signer.ts';
import { appendAudit, flushAudit, verifyAuditChain, type AuditRow } from '../../audit/audit-log.ts';
import type { TenantStore } from '../../tenants/tenant-store.ts';
import { notFound } from '../../errors/problem.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';
import { tenantIdParams } from './tenant-admin-routes.ts';

const auditEntry = z.object({
  seq: z.number().int(),
  tenantId: z.string().nullable(),
  actor: z.string(),
  action: z.string(),
  subject: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  hash: z.string(),
});

export function auditAdminRoutes(deps: { db: Db; adminAuth: AdminAuthenticator; receipts: ReceiptSigner; tenants: TenantStore }): RouteDefinition[] {
  const { db } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/admin/v1/audit',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'filtered' },
      summary: "The audit trail, newest first; filter by tenant, action, subject and time (`from` inclusive, `to` exclusive, ISO 8601); page with `before`. A tenant-scoped token sees only its tenant's entries",
      tags: ['admin: audit'],
      query: z.strictObject({
        tenantId: z.string().max(64).optional(),
        action: z.string().max(64).optional(),
        subject: z.string().max(128).optional(),
        before: z.coerce.number().int().positive().optional(),
        from: z.iso.datetime({ offset: true }).optional().describe('entries at or after this time'),
        to: z.iso.datetime({ offset: true }).optional().describe('entries before this time'),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      responses: { 200: { description: 'Entries', schema: z.object({ entries: z.array(auditEntry) }) } },
      handler: async ({ query, admin }) => {
        // A scoped token reads its own tenant's entries only; asking for another tenant finds none.
        const scope = admin!.tenantId;
        if (scope !== null && query.tenantId !== undefined && query.tenantId !== scope) return { status: 200, body: { entries: [] } };
        const tenantId = scope ?? query.tenantId ?? null;
        // Entries still in the inbox are chained first, so the trail shows every committed change.
        await flushAudit(db);
        const result = await db.query<AuditRow>(
          `SELECT * FROM audit_log WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR action = $2)
             AND ($3::text IS NULL OR subject = $3) AND ($4::bigint IS NULL OR seq < $4)
             AND ($6::timestamptz IS NULL OR created_at >= $6) AND ($7::timestamptz IS NULL OR created_at < $7)
           ORDER BY seq DESC LIMIT $5`,
          [tenantId, query.action ?? null, query.subject ?? null, query.before ?? null, query.limit, query.from ?? null, query.to ?? null],
        );
        const entries = result.rows.map((row) => ({
          seq: Number(row.seq),
          tenantId: row.tenant_id,
          actor: row.actor,
          action: row.action,
          subject: row.subject,
          data: row.data,
          createdAt: row.created_at.toISOString(),
          hash: row.hash,
        }));
        return { status: 200, body: { entries } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/audit/verify',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'global' },
      summary: 'Walk the hash chain and report the first tampered row, if any (global tokens only: the chain spans every tenant)',
      tags: ['admin: audit'],
      responses: { 200: { description: 'Verdict', schema: z.object({ ok: z.boolean(), rows: z.number(), brokenAtSeq: z.number().optional() }) } },
      handler: async () => {
        await flushAudit(db);
        return { status: 200, body: await verifyAuditChain(db) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/v1/receipt-keys/rotate',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'global' },
      summary: 'Start signing receipts with a new key; old keys stay in the JWKS',
      tags: ['receipts'],
      responses: { 201: { description: 'The new key id', schema: z.object({ kid: z.string() }) } },
      handler: async ({ admin }) => {
        const kid = await deps.receipts.rotate();
        await appendAudit(db, { tenantId: null, actor: admin!.actor, action: 'receipt_key.rotated', subject: kid });
        return { status: 201, body: { kid } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/v1/tokens',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'global' },
      summary: 'Issue an admin token with a role, optionally scoped to one tenant (shown once)',
      tags: ['admin: tokens'],
      body: z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/),
        role: z.enum(['viewer', 'operator', 'policy-admin', 'superadmin']),
        tenantId: tenantIdParams.shape.id.optional().describe("Scope the token to this tenant: it sees and changes nothing else (a scoped superadmin is that tenant's superadmin)"),
      }),
      responses: {
        201: { description: 'The token', schema: z.object({ id: z.string(), token: z.string(), role: z.string(), name: z.string(), tenantId: z.string().nullable() }) },
      },
      handler: async ({ body, admin }) => {
        if (body.tenantId !== undefined && !(await deps.tenants.get(body.tenantId))) throw notFound('tenant');
        const tenantId = body.tenantId ?? null;
        const issued = await db.tx(async (tx) => {
          const token = await deps.adminAuth.issue(tx, body);
          await appendAudit(tx, { tenantId, actor: admin!.actor, action: 'admin_token.created', subject: token.id, data: { role: body.role, name: body.name, tenantId } });
          return token;
        });
        return { status: 201, body: { ...issued, role: body.role, name: body.name, tenantId } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/tokens',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'global' },
      summary: 'List admin tokens (never the tokens themselves)',
      tags: ['admin: tokens'],
      responses: { 200: { description: 'Tokens', schema: z.object({ tokens: z.array(z.record(z.string(), z.unknown())) }) } },
      handler: async () => ({ status: 200, body: { tokens: await deps.adminAuth.list() } }),
    }),
    defineRoute({
      method: 'delete',
      path: '/admin/v1/tokens/:tokenId',
      auth: { kind: 'admin', role: 'superadmin', tenantScope: 'global' },
      summary: 'Revoke an admin token',
      tags: ['admin: tokens'],
      params: z.strictObject({ tokenId: z.string().regex(/^adm_[A-Za-z0-9_-]{8,32}$/) }),
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ params, admin }) => {
        const revoked = await db.tx(async (tx) => {
          const done = await deps.adminAuth.revoke(tx, params.tokenId);
          if (done) await appendAudit(tx, { tenantId: null, actor: admin!.actor, action: 'admin_token.revoked', subject: params.tokenId });
          return done;
        });
        if (!revoked) throw notFound('token');
        return { status: 204 };
      },
    }),
  ];
}
