// The bank's stop: POST /v1/challenges/{id}/stop (docs/holds.md). Its call centre or fraud system stops a
// held transfer before stopClosesAt; there is no way to release one early.
import { challengeIdParams, challengeResponseSchema } from '../challenges/challenge-schemas.ts';
import { publicChallenge } from '../challenges/challenge-record.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import type { HoldService } from './hold-service.ts';
import { stopHoldSchema } from './hold-schemas.ts';

export function holdRoutes(deps: { holds: HoldService }): RouteDefinition[] {
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
      handler: async ({ params, body, bank }) => ({
        status: 200,
        body: publicChallenge(await deps.holds.stop(bank!.tenantId, params.id, { by: 'bank', actor: 'bank', reason: body.reason })),
      }),
    }),
  ];
}
