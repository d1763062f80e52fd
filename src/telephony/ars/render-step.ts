// CallSteps of the ARS channel → TwiML, through the IVR flows (ivr-flows/) and render-call.ts.
import twilio from 'twilio';
import type { CallScript } from '../../channels/ars/ars-call-service.ts';
import type { FlowCatalog } from '../ivr/flow-catalog.ts';
import { renderAskAgain, renderGoodbye, renderIntro, renderListenerCheck, renderRepeatDetails, type GatherHooks } from '../ivr/render-call.ts';
import type { NameVoices } from '../ivr/name-voices.ts';
import { speechLanguageOf } from '../../language/speech-language.ts';
import { arsWebhookUrl } from './ars-webhook-urls.ts';

export const knowledgeCheckFlow = 'knowledge-check';

/** The voice of each language the flow is shipped in, for names written in that language's script. */
function nameVoicesOf(flows: FlowCatalog): NameVoices {
  const voices: NameVoices = {};
  for (const locale of flows.locales(knowledgeCheckFlow)) {
    const language = speechLanguageOf(locale);
    if (language && !voices[language]) voices[language] = flows.resolve(knowledgeCheckFlow, locale).voice;
  }
  return voices;
}

export function renderStep(script: CallScript, options: { flows: FlowCatalog; publicBaseUrl: string; tenantId: string; attemptId: string }): string {
  const { step } = script;
  const hooks = (ask: number, noInputHook: boolean): GatherHooks => ({
    actionUrl: arsWebhookUrl(options.publicBaseUrl, options.tenantId, options.attemptId, 'gather', ask),
    ...(noInputHook ? { noInputUrl: arsWebhookUrl(options.publicBaseUrl, options.tenantId, options.attemptId, 'no-input', ask) } : {}),
  });
  if (step.kind === 'hangup') {
    const response = new twilio.twiml.VoiceResponse();
    response.hangup();
    return response.toString();
  }
  const flow = options.flows.resolve(knowledgeCheckFlow, script.locale);
  const nameVoices = nameVoicesOf(options.flows);
  switch (step.kind) {
    case 'listener_check':
      return renderListenerCheck({ flow, nameVoices, bankName: script.bankName, actionUrl: hooks(step.ask, false).actionUrl });
    case 'intro':
      return renderIntro({ flow, nameVoices, bankName: script.bankName, transaction: script.transaction!, positions: step.positions, ...hooks(step.ask, step.noInputHook) });
    case 'repeat':
      return renderRepeatDetails({ flow, nameVoices, transaction: script.transaction!, positions: step.positions, ...hooks(step.ask, step.noInputHook) });
    case 'ask_again':
      return renderAskAgain({ flow, positions: step.positions, wrong: step.wrong, ...hooks(step.ask, step.noInputHook) });
    case 'goodbye':
      return renderGoodbye({ flow, outcome: step.ending });
  }
}
