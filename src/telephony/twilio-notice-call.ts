// Places a notice call on Twilio (or the simulator via TWILIO_API_BASE_URL): the notification call of a
// held transfer, the call to an old number. Synchronous answering-machine detection, so a machine is
// hung up on before anything is read; only the final status is called back.
import type twilio from 'twilio';

export type NoticeCallHook = 'answer' | 'gather' | 'status';

export async function placeNoticeCall(client: twilio.Twilio, call: { from: string; to: string; urlOf: (hook: NoticeCallHook) => string; ringTimeoutSeconds?: number }): Promise<{ callSid: string }> {
  const created = await client.calls.create({
    to: call.to,
    from: call.from,
    url: call.urlOf('answer'),
    method: 'POST',
    statusCallback: call.urlOf('status'),
    statusCallbackMethod: 'POST',
    statusCallbackEvent: ['completed'],
    machineDetection: 'Enable',
    timeout: call.ringTimeoutSeconds ?? 30,
  });
  return { callSid: created.sid };
}
