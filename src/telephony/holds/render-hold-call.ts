// HoldCallSteps → TwiML through the hold-notification flow (ivr-flows/, docs/call-script.md "The
// notification call"), as every notice call is rendered (render-notice-call.ts). Nothing here can
// release a transfer.
import type { HoldCallNotice, HoldCallScript } from '../../holds/hold-call-step.ts';
import type { FlowCatalog } from '../ivr/flow-catalog.ts';
import type { CallFlow } from '../ivr/flow-schema.ts';
import { holdNotificationFlowId, type HoldNotificationMessageId } from '../ivr/flow-messages.ts';
import { speakable, type Speaker } from '../ivr/render-call.ts';
import { renderNoticeCall } from '../ivr/render-notice-call.ts';
import { spokenDigits } from '../ivr/spoken-digits.ts';
import { amountWords } from '../../language/amount-words.ts';
import { holdCallUrl } from './hold-call-urls.ts';

/** A time as the customer's clock shows it, in the call's language ("December 6 at 3:24 PM", "12월 6일 오후 3:24"). */
export function spokenTime(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone, month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(at);
}

function sayNotice(say: Speaker<HoldNotificationMessageId>, flow: CallFlow, notice: HoldCallNotice | null): void {
  if (!notice) throw new RangeError('a notice needs the transfer');
  say('notice.approved', { amount: amountWords({ amountMinor: notice.amountMinor, currency: notice.currency, locale: flow.locale }), approvedAt: spokenTime(notice.approvedAt, flow.locale, notice.timeZone) });
  if (notice.payeeName) say('notice.payee_name', { payeeName: speakable(notice.payeeName) });
  if (notice.payeeBank) say('notice.payee_bank', { payeeBank: speakable(notice.payeeBank) });
  if (notice.payeeAccount) say('notice.payee_account', { accountDigits: spokenDigits(notice.payeeAccount, flow.locale) });
  say('notice.release', { releaseAt: spokenTime(notice.releaseAt, flow.locale, notice.timeZone) });
  say('warning');
}

export function renderHoldCall(script: HoldCallScript, options: { flows: FlowCatalog; publicBaseUrl: string; tenantId: string; notificationId: string }): string {
  const flow = options.flows.resolve(holdNotificationFlowId, script.locale);
  return renderNoticeCall(script.step, {
    flow,
    bankName: script.bankName,
    gatherUrl: (ask) => holdCallUrl(options.publicBaseUrl, options.tenantId, options.notificationId, 'gather', ask),
    sayNotice: (say) => sayNotice(say, flow, script.notice),
    unchanged: 'unchanged',
  });
}
