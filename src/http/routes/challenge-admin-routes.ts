// Read-only admin views of challenges for the console (docs/console.md): search within one tenant, and
// one challenge's timeline — decision and rules, channel, each module's part (its `timeline`, from its
// own tables: the ARS call attempts, the OTP attempts), webhook deliveries with their attempts, and the
// audit entries about it. Every query names the tenant; the core queries no channel's table.
import { z } from 'zod';
import type { Db } from '../../storage/db.ts';
import type { ChallengeStore } from '../../challenges/challenge-store.ts';
import type { DeliveryStore } from '../../events/delivery-store.ts';
import type { TenantStore } from '../../tenants/tenant-store.ts';
import type { Queues } from '../../jobs/queues.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { ProblemError } from '../../errors/problem.ts';
import { publicChallenge, terminalStatuses } from '../../challenges/challenge-record.ts';
import { notFound } from '../../errors/problem.ts';
import { flushAudit } from '../../audit/audit-log.ts';
import { customerIdSchema } from '../schemas.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';
import type { ChannelHost, ChannelModule } from '../../channels/channel-module.ts';

const tenantId = z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/);
const statuses = ['pending', ...terminalStatuses] as const;

const challengeSummary = z.object({
  id: z.string(),
  customerId: z.string(),
  status: z.string(),
  type: z.string(),
  amount: z.unknown().nullable(),
  channel: z.string().nullable(),
  reasons: z.array(z.string()),
  resultReason: z.string().nullable(),
  fraudReported: z.boolean(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

interface SummaryRow {
  id: string;
  customer_id: string;
  status: string;
  transaction_type: string;
  transaction_masked: { amount?: unknown };
  channel: string | null;
  decision: { reasons?: string[] };
  result_reason: string | null;
  fraud_reported: boolean;
  created_at: Date;
  completed_at: Date | null;
}

export function challengeAdminRoutes(deps: {
  db: Db;
  tenants: TenantStore;
  challengeStore: ChallengeStore;
  deliveries: DeliveryStore;
  queues: Queues;
  /** The modules whose parts the timeline carries, and the host they run with. */
  modules: readonly Pick<ChannelModule, 'timeline' | 'timelineSchema'>[];
  host: ChannelHost;
}): RouteDefinition[] {
  const { db } = deps;
  const requireTenant = async (id: string) => {
    if (!(await deps.tenants.get(id))) throw notFound('tenant');
  };
  return [
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/challenges',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: "Search the tenant's challenges, newest first: by customer, status, reason (a decision rule or the result) and time",
      tags: ['admin: challenges'],
      params: z.strictObject({ id: tenantId }),
      query: z.strictObject({
        customerId: customerIdSchema.optional(),
        status: z.enum(statuses).optional(),
        reason: z.string().regex(/^[a-z_]{1,64}$/).optional().describe('A decision reason (e.g. daily_cumulative_threshold) or a result reason (e.g. too_many_failures)'),
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      responses: { 200: { description: 'Challenges (masked as banks see them)', schema: z.object({ challenges: z.array(challengeSummary) }) } },
      handler: async ({ params, query }) => {
        await requireTenant(params.id);
        const result = await db.query<SummaryRow>(
          `SELECT id, customer_id, status, transaction_type, transaction_masked, channel, decision, result_reason, fraud_reported, created_at, completed_at
             FROM challenges
            WHERE tenant_id = $1 AND ($2::text IS NULL OR customer_id = $2) AND ($3::text IS NULL OR status = $3)
              AND ($4::text IS NULL OR result_reason = $4 OR decision->'reasons' ? $4)
              AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6)
            ORDER BY created_at DESC LIMIT $7`,
          [params.id, query.customerId ?? null, query.status ?? null, query.reason ?? null, query.from ?? null, query.to ?? null, query.limit],
        );
        const challenges = result.rows.map((row) => ({
          id: row.id,
          customerId: row.customer_id,
          status: row.status,
          type: row.transaction_type,
          amount: row.transaction_masked.amount ?? null,
          channel: row.channel,
          reasons: row.decision.reasons ?? [],
          resultReason: row.result_reason,
          fraudReported: row.fraud_reported,
          createdAt: row.created_at.toISOString(),
          completedAt: row.completed_at?.toISOString() ?? null,
        }));
        return { status: 200, body: { challenges } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/challenges/:challengeId',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: "A challenge's timeline: the challenge, each channel module's part (call attempts, OTP attempts), webhook deliveries and audit entries",
      tags: ['admin: challenges'],
      params: z.strictObject({ id: tenantId, challengeId: z.string().regex(/^chl_[A-Za-z0-9_-]{10,40}$/) }),
      responses: {
        200: {
          description: "The timeline: the challenge, the modules' parts (e.g. the ARS call attempts, the OTP attempts), deliveries and audit entries",
          schema: z.object({
            challenge: z.record(z.string(), z.unknown()),
            policyVersion: z.number().nullable(),
            ...Object.assign({}, ...deps.modules.map((module) => module.timelineSchema ?? {})),
            deliveries: z.array(z.record(z.string(), z.unknown())),
            audit: z.array(z.record(z.string(), z.unknown())),
          }),
        },
      },
      handler: async ({ params }) => {
        const record = await deps.challengeStore.get(db, params.id, params.challengeId);
        if (!record) throw notFound('challenge');
        await flushAudit(db);
        const [version, deliveryRows, audit, parts] = await Promise.all([
          db.query<{ policy_version: number }>('SELECT policy_version FROM challenges WHERE tenant_id = $1 AND id = $2', [params.id, params.challengeId]),
          deps.deliveries.listForTenant(params.id, { challengeId: params.challengeId, limit: 50 }),
          db.query<{ seq: string; actor: string; action: string; data: Record<string, unknown>; created_at: Date }>(
            'SELECT seq, actor, action, data, created_at FROM audit_log WHERE tenant_id = $1 AND subject = $2 ORDER BY seq',
            [params.id, params.challengeId],
          ),
          // Each module's part, from its own tables, in this tenant's scope.
          Promise.all(deps.modules.map((module) => module.timeline?.(deps.host, params.id, params.challengeId) ?? {})),
        ]);
        const deliveries = await Promise.all(
          deliveryRows.map(async (row) => ({
            id: row.id,
            type: row.event_type,
            url: row.url,
            status: row.status,
            createdAt: row.created_at.toISOString(),
            deliveredAt: row.delivered_at?.toISOString() ?? null,
            attempts: (await deps.deliveries.attempts(params.id, row.id)).map((a) => ({ attempt: a.attempt, at: a.attempted_at.toISOString(), statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
          })),
        );
        return {
          status: 200,
          body: {
            challenge: publicChallenge(record),
            policyVersion: version.rows[0]?.policy_version ?? null,
            ...Object.assign({}, ...parts),
            deliveries,
            audit: audit.rows.map((row) => ({ seq: Number(row.seq), actor: row.actor, action: row.action, data: row.data, createdAt: row.created_at.toISOString() })),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/v1/tenants/:id/deliveries/:deliveryId/redeliver',
      auth: { kind: 'admin', role: 'operator', tenantScope: 'path' },
      summary: 'Send a failed or delivered event to the bank again, with a fresh retry schedule (same webhook-id, so the bank can tell a repeat)',
      tags: ['admin: events'],
      params: z.strictObject({ id: tenantId, deliveryId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }),
      responses: { 202: { description: 'Queued again', schema: z.object({ id: z.string(), status: z.literal('pending') }) } },
      handler: async ({ params, admin }) => {
        await db.tx(async (tx) => {
          const current = await tx.query<{ status: string }>('SELECT status FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [params.id, params.deliveryId]);
          const row = current.rows[0];
          if (!row) throw notFound('delivery');
          // A pending delivery is still being retried: sending it again now would race the worker.
          if (row.status === 'pending') throw new ProblemError('conflict', 'The delivery is still pending');
          await tx.query("UPDATE webhook_deliveries SET status = 'pending', delivered_at = NULL WHERE tenant_id = $1 AND id = $2", [params.id, params.deliveryId]);
          await appendAudit(tx, { tenantId: params.id, actor: admin!.actor, action: 'delivery.redelivered', subject: params.deliveryId, data: { previousStatus: row.status } });
        });
        // A new job id: BullMQ keeps a failed job under the delivery id and would ignore a repeat.
        await deps.queues.webhookDelivery.add('deliver', { tenantId: params.id, deliveryId: params.deliveryId }, { jobId: `${params.deliveryId}-r${Date.now()}` });
        return { status: 202, body: { id: params.deliveryId, status: 'pending' as const } };
      },
    }),
  ];
}
