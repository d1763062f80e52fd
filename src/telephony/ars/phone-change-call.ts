// The call to an old number (docs/ars-channel.md "A changed number", docs/call-script.md "The call to the
// old number"): its signed webhook URLs (bound to the tenant and the notice), the Twilio placer, the
// router that hands the webhooks to the notices, and the TwiML of its steps (the phone-change flow).
import type express from 'express';
import type twilio from 'twilio';
import type { Logger } from '../../observability/logger.ts';
import type { PhoneChangeCallPlacer, PhoneChangeCallScript, PhoneChangeNotices } from '../../channels/ars/phone-change-notices.ts';
import type { FlowCatalog } from '../ivr/flow-catalog.ts';
import { phoneChangeFlowId, type PhoneChangeMessageId } from '../ivr/flow-messages.ts';
import { renderNoticeCall } from '../ivr/render-notice-call.ts';
import { noticeCallRouter } from '../notice-call-router.ts';
import { placeNoticeCall, type NoticeCallHook } from '../twilio-notice-call.ts';
import { spokenTime } from '../holds/render-hold-call.ts';

export const phoneChangeCallMount = '/twilio/phone-change';

export function phoneChangeCallUrl(publicBaseUrl: string, tenantId: string, noticeId: string, hook: NoticeCallHook, ask?: number): string {
  const path = `${publicBaseUrl}${phoneChangeCallMount}/${encodeURIComponent(tenantId)}/${encodeURIComponent(noticeId)}/${hook}`;
  return ask === undefined ? path : `${path}?ask=${ask}`;
}

export function twilioPhoneChangeCallPlacer(options: { client: twilio.Twilio; from: string; publicBaseUrl: string }): PhoneChangeCallPlacer {
  return {
    place: ({ tenantId, noticeId, to }) => placeNoticeCall(options.client, { from: options.from, to, urlOf: (hook) => phoneChangeCallUrl(options.publicBaseUrl, tenantId, noticeId, hook) }),
  };
}

export function renderPhoneChangeCall(script: PhoneChangeCallScript, options: { flows: FlowCatalog; publicBaseUrl: string; tenantId: string; noticeId: string }): string {
  const flow = options.flows.resolve(phoneChangeFlowId, script.locale);
  return renderNoticeCall<PhoneChangeMessageId, 'suspended' | 'unchanged'>(script.step, {
    flow,
    bankName: script.bankName,
    gatherUrl: (ask) => phoneChangeCallUrl(options.publicBaseUrl, options.tenantId, options.noticeId, 'gather', ask),
    sayNotice: (say) => say('notice', { changedAt: spokenTime(script.changedAt, flow.locale, script.timeZone) }),
    unchanged: 'unchanged',
  });
}

export function phoneChangeCallRouter(deps: { notices: PhoneChangeNotices; flows: FlowCatalog; authToken: string; publicBaseUrl: string; logger: Logger }): express.Router {
  const { notices } = deps;
  return noticeCallRouter('pcn', { ...deps, name: 'phone-change call' }, {
    answered: ({ id, ...hook }) => notices.answered({ ...hook, noticeId: id }),
    gathered: ({ id, ...hook }) => notices.gathered({ ...hook, noticeId: id }),
    ended: ({ id, ...hook }) => notices.ended({ ...hook, noticeId: id }),
    render: (script, { tenantId, id }) => renderPhoneChangeCall(script, { flows: deps.flows, publicBaseUrl: deps.publicBaseUrl, tenantId, noticeId: id }),
  });
}
