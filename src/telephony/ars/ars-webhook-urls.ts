// The webhook URLs of one ARS call attempt. They name the tenant and the attempt, so every webhook
// is bound to its attempt; Twilio signs the full URL (query included) with X-Twilio-Signature.
export const arsWebhookMount = '/twilio/ars';

export type ArsHook = 'answer' | 'gather' | 'no-input' | 'status';

export function arsWebhookUrl(publicBaseUrl: string, tenantId: string, attemptId: string, hook: ArsHook, ask?: number): string {
  const path = `${publicBaseUrl}${arsWebhookMount}/${encodeURIComponent(tenantId)}/${encodeURIComponent(attemptId)}/${hook}`;
  return ask === undefined ? path : `${path}?ask=${ask}`;
}
