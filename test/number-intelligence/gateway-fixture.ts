// A bank's carrier gateway, as a small real HTTP server: it verifies stepup's Standard Webhooks
// signature exactly as a bank would (the `standardwebhooks` library) and answers as told.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface GatewayHit {
  headers: IncomingHttpHeaders;
  body: string;
  /** The signature verified with the gateway's secret. */
  signatureValid: boolean;
  json: { number?: string; requestId?: string; purpose?: string } | undefined;
}

export type GatewayReply = { status?: number; body?: unknown; rawBody?: string; delayMs?: number };

export interface GatewayFixture {
  url: string;
  secret: string;
  hits: GatewayHit[];
  /** What the next requests get (per number, else the default). */
  reply(reply: GatewayReply, forNumber?: string): void;
  close(): Promise<void>;
}

export async function startGateway(secret: string): Promise<GatewayFixture> {
  const hits: GatewayHit[] = [];
  const replies = new Map<string, GatewayReply>();
  let defaultReply: GatewayReply = { body: { callForwarding: false } };
  const verifier = new Webhook(secret);
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      let signatureValid = false;
      try {
        verifier.verify(body, req.headers as Record<string, string>);
        signatureValid = true;
      } catch {
        signatureValid = false;
      }
      let json: GatewayHit['json'];
      try {
        json = JSON.parse(body) as GatewayHit['json'];
      } catch {
        json = undefined;
      }
      hits.push({ headers: req.headers, body, signatureValid, json });
      if (!signatureValid) {
        res.statusCode = 401;
        res.end();
        return;
      }
      const reply = replies.get(json?.number ?? '') ?? defaultReply;
      const send = () => {
        if (res.destroyed) return;
        res.statusCode = reply.status ?? 200;
        res.setHeader('content-type', 'application/json');
        res.end(reply.rawBody ?? JSON.stringify(reply.body ?? {}));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/forwarding-inquiry`,
    secret,
    hits,
    reply(reply, forNumber) {
      if (forNumber === undefined) defaultReply = reply;
      else replies.set(forNumber, reply);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
