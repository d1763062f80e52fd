// Sends one Standard Webhooks message (webhook-id, webhook-timestamp, webhook-signature: v1,<base64>)
// to a vetted, pinned address (see pinned-post.ts).
import { Webhook } from 'standardwebhooks';
import { postPinned } from './pinned-post.ts';

export interface WebhookMessage {
  id: string;
  url: string;
  body: string;
  secret: string;
  allowLoopback: boolean;
  timeoutMs?: number;
}

export type SendResult = { ok: true; statusCode: number } | { ok: false; statusCode?: number; error: string };

/** The Standard Webhooks headers for one message, signed with the (whsec_…) secret. */
export function standardWebhookHeaders(secret: string, id: string, body: string, timestamp = new Date()): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, timestamp, body),
  };
}

export async function sendWebhook(message: WebhookMessage): Promise<SendResult> {
  const result = await postPinned({
    url: message.url,
    headers: { 'content-type': 'application/json', 'user-agent': 'stepup-webhooks/1', ...standardWebhookHeaders(message.secret, message.id, message.body) },
    body: message.body,
    allowLoopback: message.allowLoopback,
    timeoutMs: message.timeoutMs ?? 10_000,
  });
  if (!result.ok) return { ok: false, error: result.error };
  const { statusCode } = result;
  return statusCode >= 200 && statusCode < 300 ? { ok: true, statusCode } : { ok: false, statusCode, error: `HTTP ${statusCode}` };
}
