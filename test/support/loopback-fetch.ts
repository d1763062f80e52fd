// The suite's HTTP client for its own servers: `fetch`'s signature and a real `Response`, over node:http
// with a keep-alive agent. node 20's fetch (undici, web streams) cost 0.45–0.85 ms more CPU per request
// than node:http on this machine, in the client alone, and a test process sends tens of thousands of
// requests to the servers it starts (docs/architecture.md, "The suite"). Only what the suite's helpers
// use: a URL or string, method, headers, a string or bytes body, `signal`; no redirects followed, no
// decompression (stepup's servers send neither). Only loopback addresses are dialled: anything else is
// refused before a connection is made (no test may reach outside 127.0.0.0/8 and ::1).
// Tests that make the bank client themselves (its signatures, key rotation, the long run) use its default fetch.
import http from 'node:http';
import { classifyAddress } from '../../src/events/address-classifier.ts';

const agent = new http.Agent({ keepAlive: true });
/** Answers that carry no body whatever the server sends (RFC 9110 §6.4.1): `Response` refuses one. */
const nullBodyStatus = new Set([101, 204, 205, 304]);

/** `localhost`, or an address the SSRF guard's classifier calls loopback (127.0.0.0/8, ::1). */
const isLoopback = (hostname: string) => {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || classifyAddress(host).kind === 'loopback';
};

function bodyBytes(body: BodyInit | null | undefined): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('loopbackFetch: a body is a string or bytes');
}

export const loopbackFetch: typeof fetch = (input, init = {}) => {
  if (input instanceof Request) return Promise.reject(new TypeError('loopbackFetch: pass a URL and init, not a Request'));
  const url = new URL(input);
  if (url.protocol !== 'http:') return Promise.reject(new TypeError(`loopbackFetch: http only, not ${url.protocol}`));
  if (!isLoopback(url.hostname)) return Promise.reject(new TypeError(`loopbackFetch: ${url.hostname} is not a loopback address`));
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  // As fetch sends them, unless given: some answers depend on what the client accepts.
  if (!headers.has('accept')) headers.set('accept', '*/*');
  if (!headers.has('user-agent')) headers.set('user-agent', 'node');
  const body = bodyBytes(init.body);
  if (body !== undefined && typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
  return new Promise<Response>((resolve, reject) => {
    const request = http.request(url, { method, agent, headers: Object.fromEntries(headers), ...(init.signal ? { signal: init.signal } : {}) }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.once('error', reject);
      answer.once('end', () => {
        const answerHeaders = new Headers();
        for (let i = 0; i < answer.rawHeaders.length; i += 2) answerHeaders.append(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
        const status = answer.statusCode!;
        const response = new Response(nullBodyStatus.has(status) || method === 'HEAD' ? null : Buffer.concat(chunks), { status, statusText: answer.statusMessage ?? '', headers: answerHeaders });
        Object.defineProperty(response, 'url', { value: url.href });
        resolve(response);
      });
    });
    // As fetch: an abort rejects with the abort's error, a failed connection with TypeError('fetch failed').
    request.once('error', (error) => reject(error.name === 'AbortError' ? error : new TypeError('fetch failed', { cause: error })));
    request.end(body);
  });
};
