// The bank's webhook endpoint during a chaos run: verifies every delivery's Standard Webhooks
// signature, fails a share of first attempts (so stepup's retries are exercised), and keeps what
// arrived per challenge for the checks.
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  webhookId: string;
  type: string;
  data: Record<string, unknown>;
}

export interface WebhookReceiver {
  url: string;
  /** Accepted (2xx) deliveries by challenge id; a retried delivery appears once per webhook-id. */
  accepted: Map<string, Map<string, ReceivedEvent>>;
  badSignatures: number;
  failedOnPurpose: number;
  setSecret(secret: string): void;
  close(): Promise<void>;
}

/** failShare: the share of deliveries whose first attempt answers 500 (chosen by webhook-id, so stable). */
export async function startWebhookReceiver(options: { failShare: number }): Promise<WebhookReceiver> {
  let verifier: Webhook | undefined;
  const seen = new Set<string>();
  const receiver: WebhookReceiver = {
    url: '',
    accepted: new Map(),
    badSignatures: 0,
    failedOnPurpose: 0,
    setSecret(secret) {
      verifier = new Webhook(secret);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event: ReceivedEvent;
      try {
        const parsed = verifier!.verify(body, req.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
        event = { webhookId: String(req.headers['webhook-id']), type: parsed.type, data: parsed.data };
      } catch {
        receiver.badSignatures += 1;
        res.writeHead(400).end();
        return;
      }
      const firstAttempt = !seen.has(event.webhookId);
      seen.add(event.webhookId);
      const bucket = createHash('sha256').update(event.webhookId).digest().readUInt16BE(0) / 65536;
      if (firstAttempt && bucket < options.failShare) {
        receiver.failedOnPurpose += 1;
        res.writeHead(500).end();
        return;
      }
      const challengeId = String(event.data.id ?? '');
      const byId = receiver.accepted.get(challengeId) ?? new Map<string, ReceivedEvent>();
      byId.set(event.webhookId, event);
      receiver.accepted.set(challengeId, byId);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stepup-events`;
  return receiver;
}
