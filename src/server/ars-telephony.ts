// The ARS channel's ports, built from the concrete telephony adapters (docs/architecture.md, "How a
// channel plugs in"): number intelligence for vetting and call caps, Twilio (or the simulator via
// TWILIO_API_BASE_URL) for calls, the IVR flow runtime for what the webhooks answer.
import type { ArsTelephony } from '../channels/ars/ars-telephony.ts';
import { arsSettings } from '../channels/ars/ars-config.ts';
import { loadFlows } from '../telephony/ivr/load-flows.ts';
import { createTwilioClient } from '../telephony/twilio-client.ts';
import { arsWebhookRouter } from '../telephony/ars/ars-webhook-router.ts';
import { arsWebhookMount } from '../telephony/ars/ars-webhook-urls.ts';
import { twilioCallPlacer } from '../telephony/ars/twilio-call-placer.ts';
import { createNumberIntelligence } from '../telephony/number-intelligence/create-number-intelligence.ts';
import { createNumberHasher } from '../telephony/number-intelligence/number-hash.ts';
import { normalizeNumber } from '../telephony/numbering-plan.ts';
import { phoneChangeCallMount, phoneChangeCallRouter, twilioPhoneChangeCallPlacer } from '../telephony/ars/phone-change-call.ts';
import { nowMs } from '../time/clock.ts';
import { expressMount } from '../http/express-mount.ts';

export const arsTelephony: ArsTelephony = {
  numbers(context) {
    // Vetting (the number-change cooldown) and call caps read the server's clock.
    const { vetter, caps } = createNumberIntelligence({ ...context, now: () => nowMs(context.clock) });
    return { vetter, caps, hashNumber: createNumberHasher(context.config.masterKeys.current.key), normalizeNumber: (raw) => normalizeNumber(raw) };
  },
  async voice(context) {
    const { config, logger } = context;
    const twilio = config.twilio;
    if (!twilio) return undefined;
    // Flows are validated at start-up: a broken flow file stops the server here.
    const flows = await loadFlows();
    const client = createTwilioClient({ accountSid: twilio.accountSid, authToken: twilio.authToken, apiBaseUrl: twilio.apiBaseUrl, timeoutMs: twilio.requestTimeoutMs });
    const { publicBaseUrl } = config;
    return {
      phoneChange: {
        placer: twilioPhoneChangeCallPlacer({ client, from: twilio.from, publicBaseUrl }),
        webhooks: (notices) => ({ path: phoneChangeCallMount, handler: expressMount(phoneChangeCallRouter({ notices, flows, authToken: twilio.authToken, publicBaseUrl, logger })) }),
      },
      placer: twilioCallPlacer({ client, accountSid: twilio.accountSid, from: twilio.from, publicBaseUrl: config.publicBaseUrl }),
      webhooks: (calls) => ({
        path: arsWebhookMount,
        handler: expressMount(arsWebhookRouter({ calls, flows, authToken: twilio.authToken, publicBaseUrl: config.publicBaseUrl, logger, patienceMs: arsSettings(config).ARS_WEBHOOK_PATIENCE_MS })),
      }),
    };
  },
};
