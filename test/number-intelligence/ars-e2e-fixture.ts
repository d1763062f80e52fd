// Helpers for the end-to-end number-intelligence tests (issue 4 item 6): ARS through the real server
// and the telephony simulator (test/ars/ars-fixture.ts), plus what these tests need on top — a tenant
// per policy, the simulator's Lookup answers, the number.vetted audit, and a receiver of the bank's
// signed events.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import { eventually, type TestServer } from '../support/test-server.ts';
import { callsTo, fastArs, setArsPolicy, simJson, type ArsWorld, type SimFixture } from '../ars/ars-fixture.ts';

export interface PolicyTenant {
  tenantId: string;
  client: StepupClient;
  webhookSecret: string;
}

/**
 * A tenant of its own with this ARS policy. A new tenant has nothing in the policy cache
 * (PolicyStore.currentCached, ~2 s), so its policy applies at once: no sleeping after a policy PUT.
 * The Lookup cache and the call caps are per tenant too, so each tenant starts from nothing.
 */
export async function tenantWithArs(world: ArsWorld, ars: Record<string, unknown> = {}): Promise<PolicyTenant> {
  const { tenantId, client, webhookSecret } = await world.server.createTenant({ bankName: 'Test Bank' });
  await setArsPolicy(world.server, tenantId, { ...fastArs, ...ars });
  return { tenantId, client, webhookSecret };
}

/** How the simulator's Lookup (and the call to the number) answers: packages/telephony-simulator/README.md PUT /sim/numbers. */
export async function configureNumber(sim: SimFixture, e164: string, config: Record<string, unknown>): Promise<void> {
  const response = await simJson(sim, 'PUT', `/sim/numbers/${encodeURIComponent(e164)}`, config);
  assert.equal(response.status, 200, JSON.stringify(response.body));
}

export async function putPhone(client: StepupClient, customerId: string, number: string): Promise<{ status: number; body: any }> {
  return client.request<any>('PUT', `/v1/customers/${customerId}/phone`, { number });
}

/** The tenant's number.vetted audit entries, oldest first. */
export async function vettingAudit(server: TestServer, tenantId: string): Promise<any[]> {
  const response = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=number.vetted&limit=500`);
  assert.equal(response.status, 200);
  return [...response.body.entries].reverse();
}

/** Neither the number nor its last seven digits (more than the mask's last group) appear in `text`. */
export function assertNumberHidden(text: string, e164: string, where: string): void {
  assert.ok(!text.includes(e164), `${where} holds ${e164}`);
  assert.ok(!text.includes(e164.slice(-7)), `${where} holds the digits of ${e164}`);
}

/** No call to `number` reached the simulator (checked after the challenge ended, so none can follow). */
export async function assertNeverDialed(sim: SimFixture, number: string): Promise<void> {
  assert.deepEqual(await callsTo(sim, number), [], `the simulator saw a call to ${number}`);
}

/** Waits for the simulator to see the n-th call to `number` (the place-call job dialed). */
export async function waitForDial(sim: SimFixture, number: string, count = 1): Promise<any[]> {
  return eventually(async () => {
    const calls = await callsTo(sim, number);
    return calls.length >= count ? calls : undefined;
  }, 10_000, `call ${count} to ${number}`);
}

export interface ReceivedEvent {
  /** As `standardwebhooks` verified it with the tenant's webhook secret (a bank's own check). */
  event: any;
  body: string;
}

export interface EventSink {
  url: string;
  /** The verified event for one challenge, once it arrives. */
  eventFor(challengeId: string): Promise<ReceivedEvent>;
  /** Deliveries whose signature did not verify (should stay 0). */
  forged: number;
  close(): Promise<void>;
}

/** The bank's event endpoint on 127.0.0.1: verifies each delivery's Standard Webhooks signature. */
export async function startEventSink(webhookSecret: string): Promise<EventSink> {
  const verifier = new Webhook(webhookSecret);
  const received: ReceivedEvent[] = [];
  const sink: Partial<EventSink> & { forged: number } = { forged: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        received.push({ event: verifier.verify(body, req.headers as Record<string, string>), body });
        res.statusCode = 204;
      } catch {
        sink.forged += 1;
        res.statusCode = 400;
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(sink, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    eventFor: (challengeId: string) => eventually(async () => received.find((item) => item.event.data?.id === challengeId), 10_000, `the event of ${challengeId}`),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
