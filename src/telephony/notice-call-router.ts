// The signed webhooks of one kind of notice call (the notification call of a held transfer, the call to
// an old number): `/:tenantId/:id/:hook`, bound to the tenant, the notice and its call; the notice's
// service decides, `render` turns its answer into TwiML.
import type express from 'express';
import { z } from 'zod';
import { twilioCallRouter, type TwilioWebhookOptions } from './twilio-webhook-route.ts';

interface NoticeHook {
  tenantId: string;
  id: string;
  callSid: string;
}

export interface NoticeCallHandlers<Script> {
  answered(hook: NoticeHook & { answeredBy: string | undefined }): Promise<Script>;
  gathered(hook: NoticeHook & { ask: number; digits: string | undefined }): Promise<Script>;
  ended(hook: NoticeHook & { callStatus: string }): Promise<void>;
  render(script: Script, ids: { tenantId: string; id: string }): string;
}

export function noticeCallRouter<Script>(idPrefix: string, options: TwilioWebhookOptions, handlers: NoticeCallHandlers<Script>): express.Router {
  const params = z.strictObject({
    tenantId: z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/),
    id: z.string().regex(new RegExp(`^${idPrefix}_[A-Za-z0-9_-]{16,32}$`)),
    hook: z.enum(['answer', 'gather', 'status']),
  });
  return twilioCallRouter('/:tenantId/:id/:hook', options, {
    params,
    ended: ({ tenantId, id }, callSid, callStatus) => handlers.ended({ tenantId, id, callSid, callStatus }),
    async twiml({ tenantId, id, hook }, { callSid, ask, answeredBy, digits }) {
      if (hook === 'answer') return handlers.render(await handlers.answered({ tenantId, id, callSid, answeredBy }), { tenantId, id });
      if (ask === undefined) return null;
      return handlers.render(await handlers.gathered({ tenantId, id, callSid, ask, digits }), { tenantId, id });
    },
  });
}
