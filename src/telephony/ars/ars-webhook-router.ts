// Twilio's webhooks for ARS calls (docs/ars-channel.md, last paragraph): signed and bound to one attempt
// and its call (twilio-webhook-route.ts), handed to the ARS call service, whose answer is rendered to
// TwiML. Bodies (which hold `Digits`) are never logged.
import type express from 'express';
import { z } from 'zod';
import type { Logger } from '../../observability/logger.ts';
import type { ArsCallService, CallScript } from '../../channels/ars/ars-call-service.ts';
import type { FlowCatalog } from '../ivr/flow-catalog.ts';
import { renderStep } from './render-step.ts';
import { isDatabaseUnavailable } from '../../http/problem-handler.ts';
import { isRedisUnavailable } from '../../redis/redis-connections.ts';
import { rideOutOutage } from './ride-out-outage.ts';
import { twilioCallRouter } from '../twilio-webhook-route.ts';

const pathParams = z.strictObject({
  tenantId: z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/),
  attemptId: z.string().regex(/^att_[A-Za-z0-9_-]{16,32}$/),
  hook: z.enum(['answer', 'gather', 'no-input', 'status']),
});

export interface ArsWebhookDeps {
  calls: ArsCallService;
  flows: FlowCatalog;
  authToken: string;
  publicBaseUrl: string;
  logger: Logger;
  /** How long a webhook waits out PostgreSQL or Redis being unavailable before its 503 (ARS_WEBHOOK_PATIENCE_MS). */
  patienceMs: number;
}

const isUnavailable = (error: unknown) => isDatabaseUnavailable(error) || isRedisUnavailable(error);

export function arsWebhookRouter(deps: ArsWebhookDeps): express.Router {
  // A short PostgreSQL or Redis outage is waited out (docs/reliability.md): a 503 would end the call
  // and lose what the customer pressed.
  const patiently = <T>(work: () => Promise<T>) => rideOutOutage(work, { patienceMs: deps.patienceMs, isTransient: isUnavailable });
  return twilioCallRouter('/:tenantId/:attemptId/:hook', { ...deps, name: 'ARS' }, {
    params: pathParams,
    ended: ({ tenantId, attemptId }, callSid, callStatus) => patiently(() => deps.calls.callEnded({ tenantId, attemptId, callSid, callStatus })),
    async twiml({ tenantId, attemptId, hook }, { callSid, ask, answeredBy, digits }) {
      const base = { tenantId, attemptId, callSid };
      let script: CallScript;
      if (hook === 'answer') script = await patiently(() => deps.calls.answered({ ...base, answeredBy }));
      else if (ask === undefined) return null;
      else script = await patiently(() => (hook === 'gather' ? deps.calls.gathered({ ...base, ask, digits }) : deps.calls.noInput({ ...base, ask })));
      return renderStep(script, { flows: deps.flows, publicBaseUrl: deps.publicBaseUrl, tenantId, attemptId });
    },
  });
}
