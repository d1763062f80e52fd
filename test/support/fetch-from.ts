// A fetch that sends from a chosen loopback source address (127.0.0.2, 127.0.1.1, ::1): what a request
// from another network looks like to the server, without leaving the machine. Only loopback
// destinations are allowed, so a test cannot dial out by mistake.
import { request } from 'node:http';

const loopback = /^(127\.\d+\.\d+\.\d+|\[::1\])$/;

export function fetchFrom(localAddress: string): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (!loopback.test(url.hostname)) throw new Error(`fetchFrom: ${url.hostname} is not a loopback address`);
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    return new Promise<Response>((resolve, reject) => {
      const req = request(
        { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: url.pathname + url.search, method: init.method ?? 'GET', headers: init.headers as Record<string, string>, localAddress },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const headers = new Headers();
            // Set-Cookie comes as a list.
            for (const [name, value] of Object.entries(res.headers)) for (const one of [value ?? []].flat()) headers.append(name, one);
            resolve(new Response(chunks.length ? Buffer.concat(chunks) : null, { status: res.statusCode!, headers }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }) as typeof fetch;
}
