// The security signals of a tenant (docs/admin-api.md "Security signals"), read from the audit trail:
// bank-key anomalies (`security.key_anomaly`, docs/security.md "Key protections") and admin tokens' first
// use from a new network (`security.admin_new_network`). Signals are passed on by name, whatever the name:
// one added later shows up here and on the console's Security page unchanged.
import { z } from 'zod';
import type { Db } from '../storage/db.ts';
import { flushAudit, type AuditRow } from '../audit/audit-log.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';

/** The audit actions that are security signals, and what their subject is. */
const signalSources = { 'security.key_anomaly': 'key', 'security.admin_new_network': 'admin_token' } as const;

const signalView = z.object({
  seq: z.number().int().describe('The audit entry; page with `before`'),
  tenantId: z.string().nullable().describe('null: a global admin token'),
  source: z.enum(['key', 'admin_token']).describe('What the signal is about: a bank API key, or an admin token'),
  subject: z.string().describe('The key id or the admin token id'),
  signal: z.string().describe('outside_allowed_networks, expired_key_used, new_network, admin_new_network, or one added later'),
  network: z.string().nullable(),
  address: z.string().nullable(),
  refused: z.boolean(),
  actor: z.string().optional().describe("admin_token: the token's name"),
  via: z.string().optional().describe("admin_token: 'api' (Bearer) or 'console'"),
  observedAt: z.string(),
});

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function securitySignalRoutes(deps: { db: Db }): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/admin/v1/security-signals',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'filtered' },
      summary: "Security signals, newest first: bank-key anomalies and admin tokens used from a new network; filter by tenant and signal, page with `before`. A tenant-scoped token sees its tenant's only",
      tags: ['admin: audit'],
      query: z.strictObject({
        tenantId: z.string().max(64).optional(),
        signal: z.string().regex(/^[a-z0-9_]{1,64}$/).optional(),
        before: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      responses: { 200: { description: 'Signals', schema: z.object({ signals: z.array(signalView) }) } },
      handler: async ({ query, admin }) => {
        const scope = admin!.tenantId;
        if (scope !== null && query.tenantId !== undefined && query.tenantId !== scope) return { status: 200, body: { signals: [] } };
        const tenantId = scope ?? query.tenantId ?? null;
        await flushAudit(deps.db);
        // The action list is written out (not a parameter) so the partial indexes serve the read.
        const result = await deps.db.query<AuditRow>(
          `SELECT * FROM audit_log WHERE action IN ('security.key_anomaly', 'security.admin_new_network')
             AND ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR data->>'signal' = $2) AND ($3::bigint IS NULL OR seq < $3)
           ORDER BY seq DESC LIMIT $4`,
          [tenantId, query.signal ?? null, query.before ?? null, query.limit],
        );
        const signals = result.rows.map((row) => {
          const source = signalSources[row.action as keyof typeof signalSources];
          return {
            seq: Number(row.seq),
            tenantId: row.tenant_id,
            source,
            subject: row.subject ?? '',
            signal: text(row.data.signal) ?? 'unknown',
            network: text(row.data.network),
            address: text(row.data.address),
            refused: row.data.refused === true,
            ...(source === 'admin_token' ? { actor: text(row.data.actor) ?? '', via: text(row.data.via) ?? '' } : {}),
            observedAt: text(row.data.observedAt) ?? row.created_at.toISOString(),
          };
        });
        return { status: 200, body: { signals } };
      },
    }),
  ];
}
