// Places notification calls on Twilio (or the simulator via TWILIO_API_BASE_URL), with synchronous
// answering-machine detection so a machine is hung up on before anything is read.
import type twilio from 'twilio';
import type { HoldCallPlacer } from '../../holds/hold-notifier.ts';
import { holdCallUrl } from './hold-call-urls.ts';

export function twilioHoldCallPlacer(options: { client: twilio.Twilio; from: string; publicBaseUrl: string; ringTimeoutSeconds?: number }): HoldCallPlacer {
  const { client, from, publicBaseUrl, ringTimeoutSeconds = 30 } = options;
  return {
    async place({ tenantId, notificationId, to }) {
      const call = await client.calls.create({
        to,
        from,
        url: holdCallUrl(publicBaseUrl, tenantId, notificationId, 'answer'),
        method: 'POST',
        statusCallback: holdCallUrl(publicBaseUrl, tenantId, notificationId, 'status'),
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['completed'],
        machineDetection: 'Enable',
        timeout: ringTimeoutSeconds,
      });
      return { callSid: call.sid };
    },
  };
}
