// CallSteps of the ARS channel → TwiML, through the IVR flows (ivr-flows/) and render-call.ts.
import twilio from 'twilio';
import type { CallScript } from '../../channels/ars/ars-call-service.ts';
import type { FlowCatalog } from '../ivr/flow-catalog.ts';
import { renderAskAgain, renderGoodbye, renderIntro, renderListenerCheck, renderRepeatDetails, type GatherHooks } from '../ivr/render-call.ts';
import { arsWebhookUrl } from './ars-webhook-urls.ts';

export const knowledgeCheckFlow = 'knowledge-check';

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
  switch (step.kind) {
    case 'listener_check':
      return renderListenerCheck({ flow, bankName: script.bankName, actionUrl: hooks(step.ask, false).actionUrl });
    case 'intro':
      return renderIntro({ flow, bankName: script.bankName, transaction: script.transaction!, positions: step.positions, ...hooks(step.ask, step.noInputHook) });
    case 'repeat':
      return renderRepeatDetails({ flow, transaction: script.transaction!, positions: step.positions, ...hooks(step.ask, step.noInputHook) });
    case 'ask_again':
      return renderAskAgain({ flow, positions: step.positions, wrong: step.wrong, ...hooks(step.ask, step.noInputHook) });
    case 'goodbye':
      return renderGoodbye({ flow, outcome: step.ending });
  }
}
