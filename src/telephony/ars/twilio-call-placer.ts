// The ARS channel's CallPlacer on Twilio (or the simulator via TWILIO_API_BASE_URL): Calls create
// with synchronous answering-machine detection, Calls update Status=completed to hang up, Calls
// fetch for the reconciler.
import type twilio from 'twilio';
import { DialOutcomeUnknown, type CallPlacer } from '../../channels/ars/ars-ports.ts';
import { arsWebhookUrl } from './ars-webhook-urls.ts';

export function twilioCallPlacer(options: { client: twilio.Twilio; accountSid: string; from: string; publicBaseUrl: string }): CallPlacer {
  const { client, accountSid, from, publicBaseUrl } = options;
  return {
    accountId: accountSid,
    async place({ tenantId, attemptId, to, ringTimeoutSeconds }) {
      const call = await client.calls
        .create({
          to,
          from,
          url: arsWebhookUrl(publicBaseUrl, tenantId, attemptId, 'answer'),
          method: 'POST',
          statusCallback: arsWebhookUrl(publicBaseUrl, tenantId, attemptId, 'status'),
          statusCallbackMethod: 'POST',
          statusCallbackEvent: ['completed'],
          // Synchronous AMD: the answer webhook carries AnsweredBy, before anything is read.
          machineDetection: 'Enable',
          timeout: ringTimeoutSeconds,
        })
        .catch((error: unknown) => {
          // Twilio answered 4xx: it refused, no call exists. Anything else (a timeout, a broken
          // connection, a 5xx) leaves open whether the call was created.
          const status = (error as { status?: unknown }).status;
          throw typeof status === 'number' && status >= 400 && status < 500 ? error : new DialOutcomeUnknown(error);
        });
      return { callSid: call.sid };
    },
    async callsTo({ to, since }) {
      const calls = await client.calls.list({ to, from, pageSize: 50, limit: 50 });
      return calls
        .filter((call) => call.dateCreated >= since)
        .map((call) => ({ callSid: call.sid, status: call.status, answeredBy: call.answeredBy ?? null }));
    },
    async hangUp(callSid) {
      await client.calls(callSid).update({ status: 'completed' });
    },
    async fetchCall(callSid) {
      try {
        const call = await client.calls(callSid).fetch();
        return { status: call.status, answeredBy: call.answeredBy ?? null };
      } catch (error) {
        // Twilio: 20404 (HTTP 404) — no such call on this account.
        if ((error as { status?: number }).status === 404) return null;
        throw error;
      }
    },
  };
}
