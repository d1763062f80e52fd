// POSTs to a URL the SSRF guard vetted, connecting only to the address it resolved and vetted
// (DNS rebinding cannot swap it afterwards). Redirects are not followed (a redirect could lead
// anywhere). Shared by bank webhooks (docs/events.md) and the carrier-gateway call-out (docs/ars-channel.md).
import http from 'node:http';
import https from 'node:https';
import { resolveCallbackAddress } from './callback-url-guard.ts';

export interface PinnedPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  allowLoopback: boolean;
  /** Whole-exchange deadline: connecting, sending, and (with `readBody`) reading the answer. */
  timeoutMs: number;
  /** Read the response body (up to `maxResponseBytes`); otherwise it is discarded. */
  readBody?: boolean;
  maxResponseBytes?: number;
}

/** `refused`: the SSRF guard would not connect (the address is not public, or the URL not allowed). */
export type PinnedPostResult = { ok: true; statusCode: number; body: string } | { ok: false; error: string; refused?: true };

export async function postPinned(message: PinnedPost): Promise<PinnedPostResult> {
  const url = new URL(message.url);
  let pinned: { address: string; family: 4 | 6 };
  try {
    pinned = await resolveCallbackAddress(url, { allowLoopback: message.allowLoopback });
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : 'refused', refused: true };
  }
  const transport = url.protocol === 'https:' ? https : http;
  const maxBytes = message.maxResponseBytes ?? 64 * 1024;
  return new Promise<PinnedPostResult>((resolve) => {
    let settled = false;
    const settle = (result: PinnedPostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: message.headers,
        timeout: message.timeoutMs,
        lookup: (_hostname, options, callback) => {
          if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
          else callback(null, pinned.address, pinned.family);
        },
      },
      (response) => {
        const statusCode = response.statusCode ?? 0;
        if (!message.readBody) {
          response.resume();
          settle({ ok: true, statusCode, body: '' });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) request.destroy(new Error('response too large'));
          else chunks.push(chunk);
        });
        response.on('end', () => settle({ ok: true, statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => settle({ ok: false, error: error.message }));
      },
    );
    const deadline = setTimeout(() => request.destroy(new Error('timeout')), message.timeoutMs);
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => settle({ ok: false, error: error.message }));
    request.end(message.body);
  });
}
