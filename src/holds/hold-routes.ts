// Stopping a held transfer (docs/holds.md, "Stopping"): the bank's POST /v1/challenges/{id}/stop (its call
// centre or fraud system) and the customer's stop page under /c/hold/ (public: the link's token is the
// authority). There is no way to release a transfer early.
import { z } from 'zod';
import { challengeIdParams, challengeResponseSchema } from '../challenges/challenge-schemas.ts';
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

const stopPageParams = z.strictObject({ id: challengeIdParams.shape.id, token: z.string().regex(stopTokenPattern) });

export function holdRoutes(deps: { holds: HoldService; tenants: TenantStore; policies: PolicyStore }): RouteDefinition[] {
  const { holds } = deps;
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
