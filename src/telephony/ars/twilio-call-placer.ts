// The ARS channel's CallPlacer on Twilio (or the simulator via TWILIO_API_BASE_URL): Calls create
// with synchronous answering-machine detection, Calls update Status=completed to hang up, Calls
// fetch for the reconciler. What the provider answers is checked before anyone stores or acts on it
// (docs/security.md, L5): a call SID is `CA` and 32 hex digits, a status and AnsweredBy known words.
import type twilio from 'twilio';
import { DialOutcomeUnknown, type CallPlacer } from '../../channels/ars/ars-ports.ts';
import { arsWebhookUrl } from './ars-webhook-urls.ts';

/** Twilio call SIDs: `CA` then 32 hexadecimal digits. */
const callSidPattern = /^CA[0-9a-fA-F]{32}$/;
/** Twilio call statuses (Call resource, `status`). */
const callStatuses = new Set(['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled']);
/** Twilio AnsweredBy values: human, unknown, fax, machine_start, machine_end_beep, … (short snake_case words). */
const answeredByPattern = /^[a-z_]{1,32}$/;

/** The provider answered something that is not a call resource as documented: nothing of it is used. */
export class ProviderAnswerError extends Error {
  constructor(detail: string) {
    super(`the provider's answer was refused: ${detail}`);
    this.name = 'ProviderAnswerError';
  }
}

/** The SID of a call resource, checked (its length only in the error: the value is the provider's). */
function checkedCallSid(sid: unknown): string {
  if (typeof sid !== 'string' || !callSidPattern.test(sid)) {
    throw new ProviderAnswerError(`a call SID must be CA and 32 hex digits (got ${typeof sid === 'string' ? `${sid.length} characters` : typeof sid})`);
  }
  return sid;
}

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
      return { callSid: checkedCallSid(call.sid) };
    },
    async callsTo({ to, since }) {
      const calls = await client.calls.list({ to, from, pageSize: 50, limit: 50 });
      // Only call resources as documented (L5): a call that is not one is never bound to an attempt.
      return calls
        .filter((call) => call.dateCreated >= since && callSidPattern.test(call.sid) && callStatuses.has(call.status))
        .map((call) => ({ callSid: call.sid, status: call.status, answeredBy: call.answeredBy ?? null }));
    },
    async hangUp(callSid) {
      await client.calls(checkedCallSid(callSid)).update({ status: 'completed' });
    },
    async fetchCall(callSid) {
      try {
        const call = await client.calls(checkedCallSid(callSid)).fetch();
        if (typeof call.status !== 'string' || !callStatuses.has(call.status)) throw new ProviderAnswerError('unknown call status');
        const answeredBy = call.answeredBy ?? null;
        if (answeredBy !== null && (typeof answeredBy !== 'string' || !answeredByPattern.test(answeredBy))) throw new ProviderAnswerError('unknown AnsweredBy');
        return { status: call.status, answeredBy };
      } catch (error) {
        // Twilio: 20404 (HTTP 404) — no such call on this account.
        if ((error as { status?: number }).status === 404) return null;
        throw error;
      }
    },
  };
}
