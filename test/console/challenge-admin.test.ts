// The console's admin views of challenges and customers over HTTP against the real server: search
// filters, tenant isolation, the timeline with deliveries, redelivery (same webhook-id, audited,
// operator only), the customer summary and erasure.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, transferBody, eventually, type TestServer } from '../support/test-server.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import { signIn } from './console-client.ts';
import { ConsoleSessions } from '../../src/console/console-sessions.ts';
import { consoleCookieName } from '../../src/console/console-cookie.ts';

async function receiver(): Promise<{ url: string; received: { id: string; body: string }[]; server: Server }> {
  const received: { id: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ id: String(req.headers['webhook-id']), body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, received, server };
}

describe('challenge and customer admin views', () => {
  let server: TestServer;
  const manual = new ManualChannel('otp');
  before(async () => {
    server = await startTestServer({ channels: [manual] });
  });
  after(() => server?.close());

  test('search filters by customer, status and rule, and never shows another tenant', async () => {
    const a = await server.createTenant();
    const b = await server.createTenant();
    const big = await a.client.createChallenge<any>(transferBody({ customerId: 'cust-a1' }, '3500000'));
    const small = await a.client.createChallenge<any>(transferBody({ customerId: 'cust-a2' }, '1000'));
    const other = await b.client.createChallenge<any>(transferBody({ customerId: 'cust-a1' }, '3500000'));
    const list = async (tenantId: string, query = '') => (await server.admin('GET', `/admin/v1/tenants/${tenantId}/challenges${query}`)).body.challenges.map((c: { id: string }) => c.id);
    assert.deepEqual((await list(a.tenantId)).sort(), [big.body.id, small.body.id].sort());
    assert.deepEqual(await list(a.tenantId, '?customerId=cust-a1'), [big.body.id]);
    assert.deepEqual(await list(a.tenantId, '?reason=daily_cumulative_threshold'), [big.body.id]);
    assert.deepEqual(await list(a.tenantId, '?status=not_required'), [small.body.id]);
    assert.deepEqual(await list(a.tenantId, `?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`), []);
    assert.ok(!(await list(a.tenantId)).includes(other.body.id));
    const crossTenant = await server.admin('GET', `/admin/v1/tenants/${a.tenantId}/challenges/${other.body.id}`);
    assert.equal(crossTenant.status, 404);
    const listed = await server.admin('GET', `/admin/v1/tenants/${a.tenantId}/challenges`);
    assert.ok(!JSON.stringify(listed.body).includes('110-123-456789'), 'payee accounts stay masked');
    assert.equal((await server.admin('GET', `/admin/v1/tenants/${a.tenantId}/challenges?status=bogus`)).status, 400);
  });

  test('the timeline shows the delivery; an operator redelivers it with the same webhook-id; a viewer cannot', async () => {
    const sink = await receiver();
    try {
      const { client, tenantId } = await server.createTenant();
      const created = await client.createChallenge<any>(transferBody({ callbackUrl: sink.url }));
      await server.running.context.challenges.finish(tenantId, created.body.id, { status: 'approved', reason: 'code_verified', actor: 'channel:otp' });
      await eventually(async () => sink.received[0], 10_000, 'first delivery');
      const timeline = await eventually(async () => {
        const read = await server.admin('GET', `/admin/v1/tenants/${tenantId}/challenges/${created.body.id}`);
        return read.body.deliveries[0]?.status === 'delivered' ? read.body : undefined;
      });
      assert.equal(timeline.challenge.status, 'approved');
      assert.deepEqual(timeline.challenge.decision.reasons, ['daily_cumulative_threshold']);
      assert.equal(timeline.deliveries[0].attempts.length, 1);
      assert.ok(timeline.audit.some((entry: { action: string }) => entry.action.startsWith('challenge.')));
      const deliveryId = timeline.deliveries[0].id;

      const viewerToken = await server.admin('POST', '/admin/v1/tokens', { name: 'redeliver-viewer', role: 'viewer' });
      const viewer = await signIn(server, viewerToken.body.token);
      assert.equal((await viewer.call('POST', `/admin/v1/tenants/${tenantId}/deliveries/${deliveryId}/redeliver`)).status, 403);

      const operatorToken = await server.admin('POST', '/admin/v1/tokens', { name: 'redeliver-operator', role: 'operator' });
      const operator = await signIn(server, operatorToken.body.token);
      const again = await operator.call('POST', `/admin/v1/tenants/${tenantId}/deliveries/${deliveryId}/redeliver`);
      assert.equal(again.status, 202);
      const second = await eventually(async () => sink.received[1], 10_000, 'redelivery');
      assert.equal(second.id, sink.received[0]!.id, 'the same webhook-id lets the bank tell a repeat');
      assert.equal(second.body, sink.received[0]!.body);
      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=delivery.redelivered`);
      assert.equal(audit.body.entries[0].subject, deliveryId);
      assert.equal(audit.body.entries[0].actor, 'admin:redeliver-operator');
      const otherTenant = await server.createTenant();
      assert.equal((await server.admin('POST', `/admin/v1/tenants/${otherTenant.tenantId}/deliveries/${deliveryId}/redeliver`)).status, 404);
    } finally {
      sink.server.close();
    }
  });

  test('the customer summary and erasure, within the tenant', async () => {
    const { client, tenantId } = await server.createTenant();
    const other = await server.createTenant();
    assert.equal((await client.request('PUT', '/v1/customers/cust-erase/knowledge-secret', { secret: '20478153' })).status, 204);
    const summary = await server.admin('GET', `/admin/v1/tenants/${tenantId}/customers/cust-erase`);
    assert.equal(summary.status, 200);
    assert.equal(summary.body.ars.knowledgeSecret, true);
    assert.ok(!JSON.stringify(summary.body).includes('20478153'));
    assert.equal((await server.admin('GET', `/admin/v1/tenants/${other.tenantId}/customers/cust-erase`)).status, 404);
    assert.equal((await server.admin('DELETE', `/admin/v1/tenants/${other.tenantId}/customers/cust-erase`)).status, 404);
    const viewerToken = await server.admin('POST', '/admin/v1/tokens', { name: 'erase-viewer', role: 'viewer' });
    const viewer = await signIn(server, viewerToken.body.token);
    assert.equal((await viewer.call('DELETE', `/admin/v1/tenants/${tenantId}/customers/cust-erase`)).status, 403);
    assert.equal((await server.admin('DELETE', `/admin/v1/tenants/${tenantId}/customers/cust-erase`)).status, 204);
    assert.equal((await server.admin('GET', `/admin/v1/tenants/${tenantId}/customers/cust-erase`)).status, 404);
    assert.equal((await client.request('GET', '/v1/customers/cust-erase')).status, 404);
  });
});

describe('tenant scope in the console routes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  test("a tenant-scoped principal reaches only its tenant's customers and challenges, and gets no queue dashboard", async () => {
    const own = await server.createTenant();
    const other = await server.createTenant();
    await own.client.request('PUT', '/v1/customers/cust-scope/knowledge-secret', { secret: '20478153' });
    await other.client.request('PUT', '/v1/customers/cust-scope/knowledge-secret', { secret: '20478153' });
    // The session a tenant-scoped admin token yields (the principal carries tenantId), made by the server's own session store.
    const { context, config } = { context: server.running.context, config: server.config };
    const sessions = new ConsoleSessions({ redis: context.redis, db: context.db, keyPrefix: config.queuePrefix, idleTimeoutMs: 60_000, absoluteTimeoutMs: 60_000, bootstrapToken: config.adminToken });
    const { sessionId } = await sessions.create({ tokenId: 'bootstrap', role: 'superadmin', actor: 'admin:scoped', tenantId: own.tenantId } as never, config.adminToken!);
    const cookie = `${consoleCookieName}=${sessionId}`;
    const get = async (path: string) => (await fetch(server.url + path, { headers: { cookie } })).status;
    assert.equal(await get(`/admin/v1/tenants/${own.tenantId}/customers/cust-scope`), 200);
    assert.equal(await get(`/admin/v1/tenants/${other.tenantId}/customers/cust-scope`), 404);
    assert.equal(await get(`/admin/v1/tenants/${own.tenantId}/challenges`), 200);
    assert.equal(await get(`/admin/v1/tenants/${other.tenantId}/challenges`), 404);
    assert.equal(await get('/admin/queues/api/queues'), 403);
  });
});
