// Places notification calls of held transfers (placeNoticeCall: machines are hung up on before anything is read).
import type twilio from 'twilio';
import type { HoldCallPlacer } from '../../holds/hold-notifier.ts';
import { placeNoticeCall } from '../twilio-notice-call.ts';
import { holdCallUrl } from './hold-call-urls.ts';

export function twilioHoldCallPlacer(options: { client: twilio.Twilio; from: string; publicBaseUrl: string; ringTimeoutSeconds?: number }): HoldCallPlacer {
  const { client, from, publicBaseUrl, ringTimeoutSeconds } = options;
  return {
    place: ({ tenantId, notificationId, to }) =>
      placeNoticeCall(client, { from, to, urlOf: (hook) => holdCallUrl(publicBaseUrl, tenantId, notificationId, hook), ...(ringTimeoutSeconds ? { ringTimeoutSeconds } : {}) }),
  };
}
