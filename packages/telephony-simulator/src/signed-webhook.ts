// Outbound webhooks exactly as Twilio sends them: form-encoded parameters (POST body, or query
// string for GET) and `X-Twilio-Signature` = base64 HMAC-SHA1(authToken, full URL + sorted params).
// The signature comes from the twilio SDK's own helper so it matches what `validateRequest` expects.
import twilio from 'twilio';
import type { HttpMethod } from './simulator-state.ts';

export interface SignedWebhookRequest {
  url: string;
  method: HttpMethod;
  params: Record<string, string>;
  authToken: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Twilio appends GET parameters to whatever query string the URL already has. */
export function withQueryParams(url: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  if (query === '') return url;
  const hashAt = url.indexOf('#');
  const base = hashAt < 0 ? url : url.slice(0, hashAt);
  return base + (base.includes('?') ? '&' : '?') + query;
}

export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

export async function sendSignedWebhook(request: SignedWebhookRequest): Promise<WebhookResponse> {
  const { url, method, params, authToken, timeoutMs, signal } = request;
  const target = method === 'GET' ? withQueryParams(url, params) : url;
  const signedParams = method === 'GET' ? {} : params;
  const headers: Record<string, string> = {
    'X-Twilio-Signature': twilioSignature(authToken, target, signedParams),
    'User-Agent': 'TwilioProxy/1.1',
    Accept: '*/*',
  };
  if (method === 'POST') headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  const timeout = AbortSignal.timeout(timeoutMs);
  const response = await fetch(target, {
    method,
    headers,
    body: method === 'POST' ? new URLSearchParams(params).toString() : undefined,
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}
