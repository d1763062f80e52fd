// The parameters Twilio sends with voice webhooks, and the per-call ordered delivery of status
// callbacks (Twilio delivers them asynchronously; the call does not wait for them).
import type { Logger } from 'pino';
import { sendSignedWebhook } from './signed-webhook.ts';
import type { HttpMethod, SimCall, StatusCallbackEvent } from './simulator-state.ts';

export const apiVersion = '2010-04-01';

/** Twilio's date format in JSON and callbacks: RFC 2822 with a numeric zone. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** Parameters common to every voice webhook (TwiML fetches and status callbacks). */
export function voiceRequestParams(call: SimCall, callStatus: string): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: call.accountSid,
    ApiVersion: apiVersion,
    CallSid: call.sid,
    CallStatus: callStatus,
    Called: call.to,
    Caller: call.from,
    Direction: call.direction,
    From: call.from,
    To: call.to,
  };
  if (call.answeredBy !== null) params.AnsweredBy = call.answeredBy;
  return params;
}

const sipResponseCodes: Partial<Record<SimCall['status'], string>> = {
  completed: '200',
  busy: '486',
  'no-answer': '487',
  canceled: '487',
  failed: '500',
};

function callbackStatus(call: SimCall, event: StatusCallbackEvent): string {
  if (event === 'initiated') return 'initiated';
  if (event === 'ringing') return 'ringing';
  if (event === 'answered') return 'in-progress';
  return call.status;
}

export function callDurationSeconds(call: SimCall): number {
  if (call.answerTime === null || call.endTime === null) return 0;
  return Math.max(0, Math.round((call.endTime.getTime() - call.answerTime.getTime()) / 1000));
}

export interface CallbackDispatcherOptions {
  authToken: string;
  timeoutMs: number;
  logger: Logger;
  signal: AbortSignal;
}

export class CallbackDispatcher {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly sequence = new Map<string, number>();

  constructor(private readonly options: CallbackDispatcherOptions) {}

  /**
   * Sends a status callback for `event` if the call asked for it. `completed` (which carries the
   * final status: completed, busy, no-answer, failed, canceled) is always sent when a
   * StatusCallback URL was given, as Twilio does by default.
   */
  statusEvent(call: SimCall, event: StatusCallbackEvent): void {
    if (call.statusCallback === null) return;
    if (event !== 'completed' && !call.statusCallbackEvents.includes(event)) return;
    const sequenceNumber = this.sequence.get(call.sid) ?? 0;
    this.sequence.set(call.sid, sequenceNumber + 1);
    const params: Record<string, string> = {
      ...voiceRequestParams(call, callbackStatus(call, event)),
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(sequenceNumber),
      StatusCallbackEvent: event,
      Timestamp: rfc2822(new Date()),
    };
    if (event === 'completed') {
      const duration = callDurationSeconds(call);
      params.CallDuration = String(duration);
      params.Duration = String(Math.ceil(duration / 60));
      const sip = sipResponseCodes[call.status];
      if (sip !== undefined) params.SipResponseCode = sip;
    }
    this.enqueue(call.sid, call.statusCallback, call.statusCallbackMethod, params, `status ${event}`);
  }

  /** Async AMD result (AsyncAmd=true), sent once detection finishes. */
  asyncAmdResult(call: SimCall, detectionMs: number): void {
    if (call.asyncAmdStatusCallback === null || call.answeredBy === null) return;
    const params = {
      AccountSid: call.accountSid,
      CallSid: call.sid,
      AnsweredBy: call.answeredBy,
      MachineDetectionDuration: String(detectionMs),
    };
    this.enqueue(call.sid, call.asyncAmdStatusCallback, call.asyncAmdStatusCallbackMethod, params, 'async amd');
  }

  /** Resolves when every callback queued so far for the call has been delivered (or failed). */
  drained(callSid: string): Promise<void> {
    return this.queues.get(callSid) ?? Promise.resolve();
  }

  forget(callSid: string): void {
    this.queues.delete(callSid);
    this.sequence.delete(callSid);
  }

  private enqueue(callSid: string, url: string, method: HttpMethod, params: Record<string, string>, what: string): void {
    const { authToken, timeoutMs, logger, signal } = this.options;
    const previous = this.queues.get(callSid) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (signal.aborted) return;
      try {
        const response = await sendSignedWebhook({ url, method, params, authToken, timeoutMs, signal });
        if (response.status >= 400) logger.warn({ callSid, what, status: response.status }, 'callback answered with an error');
      } catch (error) {
        if (!signal.aborted) logger.warn({ callSid, what, err: error }, 'callback failed');
      }
    });
    this.queues.set(callSid, next);
  }
}
