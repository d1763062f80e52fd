// Stopping a held transfer (docs/holds.md, "Stopping"): the bank's POST /v1/challenges/{id}/stop (its call
// centre or fraud system) and the customer's stop page under /c/hold/ (public: the link's token is the
// authority). There is no way to release a transfer early.
import { z } from 'zod';
import { challengeIdParams, challengeSchemasFor } from '../challenges/challenge-schemas.ts';
import { channelNames as shippedChannels } from '../channels/channel.ts';
import { publicChallenge, type ChallengeRecord } from '../challenges/challenge-record.ts';
import { ProblemError, notFound } from '../errors/problem.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import type { TenantStore } from '../tenants/tenant-store.ts';
import type { PolicyStore } from '../tenants/policy-store.ts';
import { bankNameFor } from '../tenants/bank-name.ts';
import type { HoldService } from './hold-service.ts';
import { stopHoldSchema } from './hold-schemas.ts';
import { stopPage, stopPageHeaders, type StopPageState } from './pages/stop-page.ts';
import { stopTokenPattern } from './stop-link.ts';
import { holdsOf } from './hold-store.ts';
import { holdStates } from './hold-record.ts';
import type { Db } from '../storage/db.ts';

const adminTenantParams = z.strictObject({ id: z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/) });
const adminChallengeParams = adminTenantParams.extend({ challengeId: challengeIdParams.shape.id });
const heldTransfer = z.object({
  challengeId: z.string(),
  customerId: z.string(),
  status: z.string(),
  state: z.enum(holdStates),
  reasons: z.array(z.string()),
  amount: z.object({ value: z.string(), currency: z.string() }).nullable(),
  payee: z.object({ name: z.string(), bank: z.string().optional(), account: z.string().describe('masked') }).nullable(),
  reference: z.string().nullable(),
  releaseAt: z.string(),
  stopClosesAt: z.string(),
  stoppedBy: z.string().nullable(),
});

const stopPageParams = z.strictObject({ id: challengeIdParams.shape.id, token: z.string().regex(stopTokenPattern) });

/** `channelNames`: the server's channels (its modules'), which the stop's answer may name; the shipped ones by default. */
export function holdRoutes(deps: { db: Db; holds: HoldService; tenants: TenantStore; policies: PolicyStore; channelNames?: readonly string[] }): RouteDefinition[] {
  const challengeResponseSchema = challengeSchemasFor(deps.channelNames ?? shippedChannels).response;
  const { holds } = deps;
  const requireTenant = async (id: string) => {
    if (!(await deps.tenants.get(id))) throw notFound('tenant');
  };
  const opened = async (params: { id: string; token: string }) => {
    const record = await holds.findByStopLink(params.id, params.token);
    if (!record) throw notFound('page');
    return record;
  };
  const render = async (status: number, record: ChallengeRecord, state: StopPageState, path: string) => {
    const tenant = await deps.tenants.getCached(record.tenantId);
    const timeZone = (await deps.policies.currentCached(record.tenantId)).document.timezone;
    const body = stopPage({ challenge: record, bankName: tenant ? bankNameFor(tenant, record.locale) : '', state, timeZone, formAction: `${path}/stop` });
    return { status, body, contentType: 'text/html; charset=utf-8', headers: stopPageHeaders };
  };
  const stateOf = (record: ChallengeRecord): StopPageState =>
    record.hold!.state === 'held' ? (holds.now().getTime() < record.hold!.stopClosesAt.getTime() ? 'open' : 'closed') : record.hold!.state;
  const pagePath = (params: { id: string; token: string }) => `/c/hold/${params.id}/${params.token}`;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/challenges/:id/stop',
      auth: { kind: 'bank' },
      summary: 'Stop a held transfer before stopClosesAt (challenge.hold_stopped); 409 hold_stop_closed or hold_released after',
      tags: ['challenges'],
      params: challengeIdParams,
      body: stopHoldSchema,
      responses: { 200: { description: 'The challenge, its hold stopped', schema: challengeResponseSchema } },
      handler: async ({ params, body, bank }) => {
        const record = await holds.stop(bank!.tenantId, params.id, { by: 'bank', actor: 'bank', reason: body.reason });
        return { status: 200, body: publicChallenge(record, { stopUrl: holds.stopUrlOf(record) }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/holds',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: 'Held transfers of the tenant (the console\'s list): held ones soonest release first; released or stopped ones newest first',
      tags: ['admin: challenges'],
      params: adminTenantParams,
      query: z.strictObject({ state: z.enum(holdStates).default('held'), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'Holds (masked transactions)', schema: z.object({ holds: z.array(heldTransfer) }) } },
      handler: async ({ params, query }) => {
        await requireTenant(params.id);
        const rows = await holdsOf(deps.db, params.id, query.state, query.limit);
        return {
          status: 200,
          body: {
            holds: rows.map((row) => ({
              challengeId: row.id,
              customerId: row.customer_id,
              status: row.status,
              state: row.hold_state,
              reasons: row.hold.reasons,
              amount: row.transaction_masked.amount ?? null,
              payee: row.transaction_masked.payee ?? null,
              reference: row.transaction_masked.reference ?? null,
              releaseAt: row.hold_release_at.toISOString(),
              stopClosesAt: new Date(row.hold.stopClosesAt).toISOString(),
              stoppedBy: row.hold.stoppedBy ?? null,
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/v1/tenants/:id/challenges/:challengeId/stop',
      auth: { kind: 'admin', role: 'operator', tenantScope: 'path' },
      summary: 'Stop a held transfer (stoppedBy "admin"); the reason is required and audited',
      tags: ['admin: challenges'],
      params: adminChallengeParams,
      body: stopHoldSchema,
      responses: { 200: { description: 'The challenge, its hold stopped', schema: challengeResponseSchema } },
      handler: async ({ params, body, admin }) => {
        await requireTenant(params.id);
        const record = await holds.stop(params.id, params.challengeId, { by: 'admin', actor: admin!.actor, reason: body.reason });
        return { status: 200, body: publicChallenge(record, { stopUrl: holds.stopUrlOf(record) }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/c/hold/:id/:token',
      auth: { kind: 'public' },
      summary: 'The stop page of a held transfer (customer): the transfer in full and "Stop this transfer"',
      tags: ['customer pages'],
      params: stopPageParams,
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
      handler: async ({ params }) => {
        const record = await opened(params);
        return render(200, record, stateOf(record), pagePath(params));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/c/hold/:id/:token/stop',
      auth: { kind: 'public' },
      summary: 'The stop page\'s button: stops the held transfer (stoppedBy "customer")',
      tags: ['customer pages'],
      params: stopPageParams,
      responses: { 200: { description: 'HTML: stopped', contentType: 'text/html' }, 409: { description: 'HTML: too late (closed or released)', contentType: 'text/html' } },
      handler: async ({ params }) => {
        const record = await opened(params);
        try {
          const stopped = await holds.stop(record.tenantId, record.id, { by: 'customer', actor: 'customer:page', reason: 'stop page' });
          return render(200, stopped, 'stopped', pagePath(params));
        } catch (error) {
          if (!(error instanceof ProblemError) || (error.code !== 'hold_stop_closed' && error.code !== 'hold_released')) throw error;
          return render(409, record, error.code === 'hold_released' ? 'released' : 'closed', pagePath(params));
        }
      },
    }),
  ];
}
