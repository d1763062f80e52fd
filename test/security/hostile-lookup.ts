// A loopback fake of Twilio's API for stepup's twilio SDK (TWILIO_API_BASE_URL): Lookup v2 answers
// whatever the test sets for a number (malformed JSON, missing fields, wrong types, errors); every
// other request (Calls) goes through to the telephony simulator, its answer to Calls.create rewritten
// when the test asks (a hostile call SID).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileReply {
  status?: number;
  contentType?: string;
  body: string;
}

export interface HostileLookup {
  url: string;
  /** Lookup requests seen, by number. */
  asked: string[];
  /** What Lookup answers for `number` (until cleared); null: the simulator's honest answer. */
  reply(number: string, reply: HostileReply | null): void;
  /** Rewrites the simulator's answer to Calls.create (the call resource) for calls to `to`; null: unchanged. */
  rewriteCreatedCall(to: string, rewrite: ((call: Record<string, unknown>) => Record<string, unknown>) | null): void;
  close(): Promise<void>;
}

export async function startHostileLookup(simulatorUrl: string): Promise<HostileLookup> {
  const replies = new Map<string, HostileReply>();
  const callRewrites = new Map<string, (call: Record<string, unknown>) => Record<string, unknown>>();
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const lookup = /^\/v2\/PhoneNumbers\/([^/]+)$/.exec(url.pathname);
      const number = lookup ? decodeURIComponent(lookup[1]!) : undefined;
      if (number !== undefined) asked.push(number);
      const hostile = number === undefined ? undefined : replies.get(number);
      if (hostile) {
        res.writeHead(hostile.status ?? 200, { 'content-type': hostile.contentType ?? 'application/json' });
        res.end(hostile.body);
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'accept', 'user-agent']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name] as string;
      fetch(simulatorUrl + (req.url ?? '/'), { method: req.method, headers, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) })
        .then(async (response) => {
          let body = Buffer.from(await response.arrayBuffer());
          const creates = req.method === 'POST' && /\/Calls\.json$/.test(url.pathname);
          const rewrite = creates ? callRewrites.get(new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('To') ?? '') : undefined;
          if (rewrite && response.ok) body = Buffer.from(JSON.stringify(rewrite(JSON.parse(body.toString('utf8')) as Record<string, unknown>)));
          res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
          res.end(body);
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    reply(number, reply) {
      if (reply === null) replies.delete(number);
      else replies.set(number, reply);
    },
    rewriteCreatedCall(to, rewrite) {
      if (rewrite === null) callRewrites.delete(to);
      else callRewrites.set(to, rewrite);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
