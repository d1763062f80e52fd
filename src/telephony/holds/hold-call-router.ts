// Twilio's webhooks for notification calls (docs/holds.md): signed (twilio-webhook-route.ts), bound to
// one notification and its call, handed to the hold notifier, whose answer is rendered to TwiML.
import type express from 'express';
import { z } from 'zod';
import type { Logger } from '../../observability/logger.ts';
import type { HoldNotifier } from '../../holds/hold-notifier.ts';
import type { HoldCallScript } from '../../holds/hold-call-step.ts';
import type { FlowCatalog } from '../ivr/flow-catalog.ts';
import { twilioCallRouter } from '../twilio-webhook-route.ts';
import { renderHoldCall } from './render-hold-call.ts';

const pathParams = z.strictObject({
  tenantId: z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/),
  notificationId: z.string().regex(/^hnt_[A-Za-z0-9_-]{16,32}$/),
  hook: z.enum(['answer', 'gather', 'status']),
});

export interface HoldCallRouterDeps {
  notifier: HoldNotifier;
  flows: FlowCatalog;
  authToken: string;
  publicBaseUrl: string;
  logger: Logger;
}

export function holdCallRouter(deps: HoldCallRouterDeps): express.Router {
  return twilioCallRouter('/:tenantId/:notificationId/:hook', { ...deps, name: 'notification call' }, {
    params: pathParams,
    ended: ({ tenantId, notificationId }, callSid, callStatus) => deps.notifier.ended({ tenantId, notificationId, callSid, callStatus }),
    async twiml({ tenantId, notificationId, hook }, { callSid, ask, answeredBy, digits }) {
      const base = { tenantId, notificationId, callSid };
      let script: HoldCallScript;
      if (hook === 'answer') script = await deps.notifier.answered({ ...base, answeredBy });
      else if (ask === undefined) return null;
      else script = await deps.notifier.gathered({ ...base, ask, digits });
      return renderHoldCall(script, { flows: deps.flows, publicBaseUrl: deps.publicBaseUrl, tenantId, notificationId });
    },
  });
}
