// Sends one Standard Webhooks message (webhook-id, webhook-timestamp, webhook-signature: v1,<base64>)
// to a vetted, pinned address. Redirects are not followed (a redirect could lead anywhere).
import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import { resolveCallbackAddress } from './callback-url-guard.ts';

export interface WebhookMessage {
  id: string;
  url: string;
  body: string;
  secret: string;
  allowLoopback: boolean;
  timeoutMs?: number;
}

export type SendResult = { ok: true; statusCode: number } | { ok: false; statusCode?: number; error: string };

export async function sendWebhook(message: WebhookMessage): Promise<SendResult> {
  const url = new URL(message.url);
  let pinned: { address: string; family: 4 | 6 };
  try {
    pinned = await resolveCallbackAddress(url, { allowLoopback: message.allowLoopback });
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : 'refused' };
  }
  const timestamp = new Date();
  const signature = new Webhook(message.secret).sign(message.id, timestamp, message.body);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'stepup-webhooks/1',
          'webhook-id': message.id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
        timeout: message.timeoutMs ?? 10_000,
        lookup: (_hostname, options, callback) => {
          if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
          else callback(null, pinned.address, pinned.family);
        },
      },
      (response) => {
        response.resume();
        const statusCode = response.statusCode ?? 0;
        resolve(statusCode >= 200 && statusCode < 300 ? { ok: true, statusCode } : { ok: false, statusCode, error: `HTTP ${statusCode}` });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve({ ok: false, error: error.message }));
    request.end(message.body);
  });
}
