// HoldCallSteps → TwiML through the hold-notification flow (ivr-flows/, docs/call-script.md "The
// notification call"). The notice, the warning and the ask are all inside the Gather: a customer who
// knows already may press 9 at once (stopping is always safe). Nothing here can release a transfer.
import twilio from 'twilio';
import type { HoldCallNotice, HoldCallScript, HoldCallEnding } from '../../holds/hold-call-step.ts';
import type { FlowCatalog } from '../ivr/flow-catalog.ts';
import type { CallFlow } from '../ivr/flow-schema.ts';
import { holdNotificationFlowId, type HoldNotificationMessageId } from '../ivr/flow-messages.ts';
import { speakable, speakerFor } from '../ivr/render-call.ts';
import { spokenDigits } from '../ivr/spoken-digits.ts';
import { amountWords } from '../../language/amount-words.ts';
import { holdCallUrl } from './hold-call-urls.ts';

/** A time as the customer's clock shows it, in the call's language ("December 6 at 3:24 PM", "12월 6일 오후 3:24"). */
export function spokenTime(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone, month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(at);
}

function sayNotice(say: (id: HoldNotificationMessageId, values?: Record<string, string>) => void, flow: CallFlow, notice: HoldCallNotice): void {
  say('notice.approved', { amount: amountWords({ amountMinor: notice.amountMinor, currency: notice.currency, locale: flow.locale }), approvedAt: spokenTime(notice.approvedAt, flow.locale, notice.timeZone) });
  if (notice.payeeName) say('notice.payee_name', { payeeName: speakable(notice.payeeName) });
  if (notice.payeeBank) say('notice.payee_bank', { payeeBank: speakable(notice.payeeBank) });
  if (notice.payeeAccount) say('notice.payee_account', { accountDigits: spokenDigits(notice.payeeAccount, flow.locale) });
  say('notice.release', { releaseAt: spokenTime(notice.releaseAt, flow.locale, notice.timeZone) });
  say('warning');
}

function sayGoodbye(response: InstanceType<typeof twilio.twiml.VoiceResponse>, flow: CallFlow, ending: HoldCallEnding): void {
  const say = speakerFor<HoldNotificationMessageId>(flow, response);
  say(`goodbye.${ending}`);
  say('goodbye.farewell');
  response.hangup();
}

export function renderHoldCall(script: HoldCallScript, options: { flows: FlowCatalog; publicBaseUrl: string; tenantId: string; notificationId: string }): string {
  const { step } = script;
  const response = new twilio.twiml.VoiceResponse();
  if (step.kind === 'hangup') {
    response.hangup();
    return response.toString();
  }
  const flow = options.flows.resolve(holdNotificationFlowId, script.locale);
  const gatherFor = (ask: number, actionOnEmptyResult: boolean) =>
    response.gather({
      input: ['dtmf'],
      numDigits: 1,
      timeout: flow.gather.timeoutSeconds,
      action: holdCallUrl(options.publicBaseUrl, options.tenantId, options.notificationId, 'gather', ask),
      method: 'POST',
      actionOnEmptyResult,
    });
  switch (step.kind) {
    case 'listener_check': {
      // Nothing about the transfer until someone presses a key; silence (a recording) hangs up.
      if (flow.leadingPauseSeconds > 0) response.pause({ length: flow.leadingPauseSeconds });
      speakerFor<HoldNotificationMessageId>(flow, gatherFor(step.ask, false))('listener_check', { bankName: speakable(script.bankName) });
      response.hangup();
      return response.toString();
    }
    case 'notice': {
      if (!script.notice) throw new RangeError('a notice needs the transfer');
      if (step.greet && flow.leadingPauseSeconds > 0) response.pause({ length: flow.leadingPauseSeconds });
      const say = speakerFor<HoldNotificationMessageId>(flow, gatherFor(step.ask, true));
      if (step.greet) say('greeting', { bankName: speakable(script.bankName) });
      sayNotice(say, flow, script.notice);
      say('ask');
      // Reached only if the Gather's action is not requested: the transfer goes ahead.
      sayGoodbye(response, flow, 'unchanged');
      return response.toString();
    }
    case 'goodbye':
      sayGoodbye(response, flow, step.ending);
      return response.toString();
  }
}
