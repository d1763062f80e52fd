// The tenant's security signals (docs/admin-api.md "Security signals"): bank-key anomalies and admin
// tokens' new networks from the audit trail, newest first, filtered by signal, a tenant-scoped token held
// to its tenant. Signals come from real requests sent from loopback sources (127.0.1.1 is another /24).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { fetchFrom } from '../support/fetch-from.ts';
import { StepupClient } from '../../src/client/stepup-client.ts';
import { appendAudit } from '../../src/audit/audit-log.ts';

describe('security signals', () => {
  let server: TestServer;
  let tenantId: string;
  let otherTenant: string;
  let keyId: string;
  let operatorId: string;
  let scopedViewer: string;

  before(async () => {
    server = await startTestServer();
    tenantId = (await server.createTenant({ name: 'Signal Bank' })).tenantId;
    otherTenant = (await server.createTenant({ name: 'Quiet Bank' })).tenantId;
    // A key limited to 127.0.0.0/24, used from 127.0.1.1: refused, one outside_allowed_networks signal.
    const key = (await server.admin('POST', `/admin/v1/tenants/${tenantId}/keys`, { allowedNetworks: ['127.0.0.0/24'] })).body;
    keyId = key.keyId;
    const outside = new StepupClient({ baseUrl: server.url, credentials: { keyId: key.keyId, secret: key.secret }, fetch: fetchFrom('127.0.1.1') });
    assert.equal((await outside.createChallenge(transferBody())).status, 401);
    // An operator token of the tenant, used from 127.0.0.1 (its baseline) and then from 127.0.1.1.
    const operator = (await server.admin('POST', '/admin/v1/tokens', { name: 'signal-operator', role: 'operator', tenantId })).body;
    operatorId = operator.id;
    const get = (source: string) => fetchFrom(source)(`${server.url}/admin/v1/tenants/${tenantId}`, { headers: { authorization: `Bearer ${operator.token}` } });
    assert.equal((await get('127.0.0.1')).status, 200);
    assert.equal((await get('127.0.1.1')).status, 200);
    // A signal this version does not know by name (added later), and one of another tenant.
    await appendAudit(server.running.context.db, { tenantId, actor: 'system:key-watch', action: 'security.key_anomaly', subject: keyId, data: { keyId, signal: 'some_future_signal', network: '198.51.100.0/24', address: '198.51.100.7', refused: false, observedAt: new Date().toISOString() } });
    await appendAudit(server.running.context.db, { tenantId: otherTenant, actor: 'system:key-watch', action: 'security.key_anomaly', subject: 'key_other', data: { keyId: 'key_other', signal: 'new_network', network: '192.0.2.0/24', address: '192.0.2.1', refused: false, observedAt: new Date().toISOString() } });
    scopedViewer = (await server.admin('POST', '/admin/v1/tokens', { name: 'signal-viewer', role: 'viewer', tenantId })).body.token;
  });
  after(() => server?.close());

  test("a tenant's signals, newest first: key anomalies, admin new networks and signals known only by name", async () => {
    const response = await server.admin('GET', `/admin/v1/security-signals?tenantId=${tenantId}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const signals = response.body.signals as Record<string, unknown>[];
    assert.deepEqual(signals.map((signal) => signal.signal), ['some_future_signal', 'admin_new_network', 'outside_allowed_networks']);
    const [future, admin, refused] = signals as any[];
    assert.deepEqual({ ...refused, seq: undefined, observedAt: undefined }, { seq: undefined, tenantId, source: 'key', subject: keyId, signal: 'outside_allowed_networks', network: '127.0.1.0/24', address: '127.0.1.1', refused: true, observedAt: undefined });
    assert.equal(admin.source, 'admin_token');
    assert.equal(admin.subject, operatorId);
    assert.equal(admin.actor, 'admin:signal-operator');
    assert.equal(admin.network, '127.0.1.0/24');
    assert.equal(admin.refused, false);
    assert.equal(future.subject, keyId);
    assert.ok(signals.every((signal, i) => i === 0 || (signals[i - 1]!.seq as number) > (signal.seq as number)), 'newest first');
  });

  test('filtered by signal; paged with before', async () => {
    const only = await server.admin('GET', `/admin/v1/security-signals?tenantId=${tenantId}&signal=outside_allowed_networks`);
    assert.deepEqual(only.body.signals.map((signal: { subject: string }) => signal.subject), [keyId]);
    const first = (await server.admin('GET', `/admin/v1/security-signals?tenantId=${tenantId}&limit=1`)).body.signals;
    assert.equal(first.length, 1);
    const next = (await server.admin('GET', `/admin/v1/security-signals?tenantId=${tenantId}&limit=1&before=${first[0].seq}`)).body.signals;
    assert.equal(next[0].signal, 'admin_new_network');
    const bad = await server.admin('GET', `/admin/v1/security-signals?signal=${encodeURIComponent('<script>')}`);
    assert.equal(bad.status, 400);
  });

  test("a tenant-scoped token sees its tenant's signals only", async () => {
    const read = async (query: string) => (await fetch(`${server.url}/admin/v1/security-signals${query}`, { headers: { authorization: `Bearer ${scopedViewer}` } })).json() as Promise<{ signals: { tenantId: string }[] }>;
    const own = await read('');
    assert.equal(own.signals.length, 3);
    assert.ok(own.signals.every((signal) => signal.tenantId === tenantId));
    assert.deepEqual((await read(`?tenantId=${otherTenant}`)).signals, []);
    // A global token sees every tenant's, and global tokens' own signals.
    const all = (await server.admin('GET', '/admin/v1/security-signals')).body.signals as { tenantId: string | null }[];
    assert.ok(all.some((signal) => signal.tenantId === otherTenant));
  });
});
