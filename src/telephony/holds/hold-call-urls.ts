// The webhook URLs of one notification call (docs/holds.md). They name the tenant and the notification,
// so every webhook is bound to it; Twilio signs the full URL (query included) with X-Twilio-Signature.
export const holdCallMount = '/twilio/hold';

export type HoldCallHook = 'answer' | 'gather' | 'status';

export function holdCallUrl(publicBaseUrl: string, tenantId: string, notificationId: string, hook: HoldCallHook, ask?: number): string {
  const path = `${publicBaseUrl}${holdCallMount}/${encodeURIComponent(tenantId)}/${encodeURIComponent(notificationId)}/${hook}`;
  return ask === undefined ? path : `${path}?ask=${ask}`;
}
