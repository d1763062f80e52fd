// Twilio's webhooks for ARS calls (docs/ars-channel.md, last paragraph): signed and bound to one attempt
// and its call (twilio-webhook-route.ts), handed to the ARS call service, whose answer is rendered to
// TwiML. Bodies (which hold `Digits`) are never logged.
import type express from 'express';
import { z } from 'zod';
import type { Logger } from '../../observability/logger.ts';
import type { ArsCallService, CallScript } from '../../channels/ars/ars-call-service.ts';
import type { FlowCatalog } from '../ivr/flow-catalog.ts';
import { renderStep } from './render-step.ts';
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
}

export function arsWebhookRouter(deps: ArsWebhookDeps): express.Router {
  return twilioCallRouter('/:tenantId/:attemptId/:hook', { ...deps, name: 'ARS' }, {
    params: pathParams,
    ended: ({ tenantId, attemptId }, callSid, callStatus) => deps.calls.callEnded({ tenantId, attemptId, callSid, callStatus }),
    async twiml({ tenantId, attemptId, hook }, { callSid, ask, answeredBy, digits }) {
      const base = { tenantId, attemptId, callSid };
      let script: CallScript;
      if (hook === 'answer') script = await deps.calls.answered({ ...base, answeredBy });
      else if (ask === undefined) return null;
      else script = hook === 'gather' ? await deps.calls.gathered({ ...base, ask, digits }) : await deps.calls.noInput({ ...base, ask });
      return renderStep(script, { flows: deps.flows, publicBaseUrl: deps.publicBaseUrl, tenantId, attemptId });
    },
  });
}
