// The TwiML of a notice call (docs/call-script.md: "The notification call", "The call to the old
// number"): a call that only tells and offers `9`. The notice, its warning and the ask are all inside
// the Gather, so a customer who knows already may press 9 at once; a listener check says nothing of the
// notice until a key is pressed. The flow gives the words: greeting, listener_check, ask,
// goodbye.<ending>, goodbye.farewell, and whatever the notice itself says.
import twilio from 'twilio';
import type { NoticeCallStep } from '../../holds/hold-call-step.ts';
import type { CallFlow } from './flow-schema.ts';
import { speakable, speakerFor, type Speaker } from './render-call.ts';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;

export interface NoticeCallRendering<Id extends string, Ending extends string> {
  flow: CallFlow;
  bankName: string;
  /** The Gather's action for question `ask`. */
  gatherUrl(ask: number): string;
  /** Says the notice (after the greeting, before the ask); throws when it cannot be read. */
  sayNotice(say: Speaker<Id>): void;
  /** Said when the Gather's action is never requested: nothing changes. */
  unchanged: Ending;
}

function sayGoodbye(response: VoiceResponse, flow: CallFlow, ending: string): void {
  const say = speakerFor<string>(flow, response);
  say(`goodbye.${ending}`);
  say('goodbye.farewell');
  response.hangup();
}

export function renderNoticeCall<Id extends string, Ending extends string>(step: NoticeCallStep<Ending>, options: NoticeCallRendering<Id, Ending>): string {
  const { flow } = options;
  const response = new twilio.twiml.VoiceResponse();
  const gatherFor = (ask: number, actionOnEmptyResult: boolean) =>
    response.gather({ input: ['dtmf'], numDigits: 1, timeout: flow.gather.timeoutSeconds, action: options.gatherUrl(ask), method: 'POST', actionOnEmptyResult });
  switch (step.kind) {
    case 'hangup':
      response.hangup();
      break;
    case 'listener_check':
      // Nothing about the notice until someone presses a key; silence (a recording) hangs up.
      if (flow.leadingPauseSeconds > 0) response.pause({ length: flow.leadingPauseSeconds });
      speakerFor<string>(flow, gatherFor(step.ask, false))('listener_check', { bankName: speakable(options.bankName) });
      response.hangup();
      break;
    case 'notice': {
      if (step.greet && flow.leadingPauseSeconds > 0) response.pause({ length: flow.leadingPauseSeconds });
      const gather = gatherFor(step.ask, true);
      const say = speakerFor<string>(flow, gather);
      if (step.greet) say('greeting', { bankName: speakable(options.bankName) });
      options.sayNotice(speakerFor<Id>(flow, gather));
      say('ask');
      // Reached only if the Gather's action is not requested.
      sayGoodbye(response, flow, options.unchanged);
      break;
    }
    case 'goodbye':
      sayGoodbye(response, flow, step.ending);
      break;
  }
  return response.toString();
}
