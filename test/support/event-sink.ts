// A bank's event endpoint on 127.0.0.1: records every POST (headers and raw body, for Standard Webhooks
// verification) and answers 204.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  headers: Record<string, string>;
  body: string;
}

export async function eventSink(): Promise<{ url: string; received: ReceivedEvent[]; server: Server }> {
  const received: ReceivedEvent[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, received, server };
}
