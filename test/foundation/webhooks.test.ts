import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { startTestServer, transferBody, eventually, type TestServer } from '../support/test-server.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import { assertCallbackUrlAllowed, isPublicAddress } from '../../src/events/callback-url-guard.ts';
import { webhookScheduleSpanMs, webhookBackoffDelay } from '../../src/events/webhook-backoff.ts';

interface Received {
  headers: Record<string, string>;
  body: string;
}

async function receiver(failFirst: number): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      calls += 1;
      if (calls <= failFirst) {
        res.statusCode = 503;
        res.end();
        return;
      }
      received.push({ headers: req.headers as Record<string, string>, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, received, server };
}

describe('events to the bank', () => {
  let server: TestServer;
  const manual = new ManualChannel('otp');
  before(async () => {
    server = await startTestServer({ channels: [manual] });
  });
  after(() => server.close());

  test('a terminal challenge is POSTed, Standard-Webhooks-signed, and the delivery is visible', async () => {
    const sink = await receiver(0);
    try {
      const { client, tenantId, webhookSecret } = await server.createTenant();
      const created = await client.createChallenge<any>(transferBody({ callbackUrl: sink.url }));
      await server.running.context.challenges.finish(tenantId, created.body.id, { status: 'approved', reason: 'code_verified', actor: 'channel:otp' });
      const message = await eventually(async () => sink.received[0], 10_000, 'webhook');
      const event = new Webhook(webhookSecret).verify(message.body, message.headers) as any;
      assert.equal(event.type, 'challenge.approved');
      assert.equal(event.data.id, created.body.id);
      assert.equal(event.data.status, 'approved');
      assert.equal(event.data.transaction.payee.account, '***-***-456789');
      assert.ok(event.data.result.receipt);
      const deliveries = await eventually(async () => {
        const list = await server.admin('GET', `/admin/v1/tenants/${tenantId}/deliveries?challengeId=${created.body.id}`);
        return list.body.deliveries[0]?.status === 'delivered' ? list.body.deliveries : undefined;
      });
      assert.equal(deliveries[0].attempts.length, 1);
      assert.equal(deliveries[0].attempts[0].status_code, 204);
    } finally {
      sink.server.close();
    }
  });

  test('a failing endpoint is retried with backoff until it answers', async () => {
    const sink = await receiver(1);
    try {
      const { client, tenantId, webhookSecret } = await server.createTenant();
      const created = await client.createChallenge<any>(transferBody({ callbackUrl: sink.url }));
      await client.cancelChallenge(created.body.id);
      const message = await eventually(async () => sink.received[0], 15_000, 'retried webhook');
      const event = new Webhook(webhookSecret).verify(message.body, message.headers) as any;
      assert.equal(event.type, 'challenge.canceled');
      const deliveries = await eventually(async () => {
        const list = await server.admin('GET', `/admin/v1/tenants/${tenantId}/deliveries`);
        return list.body.deliveries[0]?.status === 'delivered' ? list.body.deliveries : undefined;
      });
      assert.deepEqual(deliveries[0].attempts.map((a: any) => a.status_code), [503, 204]);
    } finally {
      sink.server.close();
    }
  });

  test('the retry schedule spans at least 24 hours', () => {
    assert.ok(webhookScheduleSpanMs() >= 24 * 3600 * 1000);
    assert.ok(webhookBackoffDelay(1, () => 0.5) === 5000);
    assert.ok(webhookBackoffDelay(30, () => 0.5) === 3_600_000);
  });

  test('SSRF guard refuses private, link-local and non-https callback URLs', () => {
    const refused = [
      'http://bank.example/hook',
      'https://10.1.2.3/hook',
      'https://192.168.0.1/hook',
      'https://172.16.5.4/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[fe80::1]/hook',
      'https://[::ffff:10.0.0.1]/hook',
      'https://user:pw@bank.example/hook',
      'https://localhost/hook',
      'https://127.0.0.1/hook',
    ];
    for (const url of refused) assert.throws(() => assertCallbackUrlAllowed(url, { allowLoopback: false }), /callbackUrl/, url);
    assert.doesNotThrow(() => assertCallbackUrlAllowed('https://bank.example/hook', { allowLoopback: false }));
    assert.doesNotThrow(() => assertCallbackUrlAllowed('http://127.0.0.1:9000/hook', { allowLoopback: true }));
    assert.equal(isPublicAddress('8.8.8.8'), true);
    assert.equal(isPublicAddress('100.64.0.1'), false);
  });
});
