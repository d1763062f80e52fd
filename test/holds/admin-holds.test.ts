// Admins stop held transfers (docs/holds.md, docs/admin-api.md): the "Held transfers" list and a stop with
// a reason, operator role and up, audited; a scoped token sees only its tenant.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import { auditActions, changePolicy, eventTypes, holdPolicy, movableClock } from './hold-support.ts';

describe('admin: held transfers', () => {
  let server: TestServer;
  let client: StepupClient;
  let tenantId: string;
  const time = movableClock();
  before(async () => {
    server = await startTestServer({ clock: time.clock });
    ({ client, tenantId } = await server.createTenant({ defaultCallbackUrl: 'http://127.0.0.1:9/never' }));
    await changePolicy(server, tenantId, (document) => (document.hold = holdPolicy({ notifyCallsAfterSeconds: [] })));
  });
  after(() => server.close());

  const held = async () => (await client.createChallenge<any>(transferBody({ customerId: `cust-adm-${Math.random()}` }, '1000000'))).body;
  const token = async (role: string, scope?: string) => (await server.admin('POST', '/admin/v1/tokens', { name: `holds-${role}-${Math.random()}`, role, ...(scope ? { tenantId: scope } : {}) })).body.token as string;
  const as = (bearer: string, method: string, path: string, body?: unknown) =>
    fetch(server.url + path, { method, headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  test('GET …/holds lists the held transfers, soonest release first; released and stopped ones by state', async () => {
    const first = await held();
    const second = await held();
    const list = await server.admin('GET', `/admin/v1/tenants/${tenantId}/holds?state=held`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const ids = list.body.holds.map((entry: any) => entry.challengeId);
    assert.ok(ids.indexOf(first.id) >= 0 && ids.indexOf(first.id) < ids.indexOf(second.id));
    const entry = list.body.holds.find((h: any) => h.challengeId === first.id);
    assert.equal(entry.customerId, first.customerId);
    assert.equal(entry.state, 'held');
    assert.deepEqual(entry.amount, { value: '1000000', currency: 'KRW' });
    assert.equal(entry.payee.account, '***-***-456789', 'masked');
    assert.equal(entry.releaseAt, first.hold.releaseAt);
  });

  test('an operator stops with a reason (stoppedBy admin, audited); a viewer cannot; no reason is 400; closed is 409', async () => {
    const challenge = await held();
    const path = `/admin/v1/tenants/${tenantId}/challenges/${challenge.id}/stop`;
    const viewer = await token('viewer');
    assert.equal((await as(viewer, 'POST', path, { reason: 'looks like fraud' })).status, 403);
    const operator = await token('operator');
    const missing = await as(operator, 'POST', path, {});
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.errors.map((e: any) => e.path), ['body.reason']);
    const stopped = await as(operator, 'POST', path, { reason: 'customer called the branch: vishing' });
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(stopped.body.hold.state, 'stopped');
    assert.equal(stopped.body.hold.stoppedBy, 'admin');
    assert.deepEqual(await eventTypes(server, challenge.id), ['challenge.hold_stopped']);
    const audit = (await auditActions(server, challenge.id)).find((entry) => entry.action === 'challenge.hold_stopped')!;
    assert.match(audit.actor, /^admin:/);
    assert.equal(audit.data.reason, 'customer called the branch: vishing');
    const late = await held();
    time.to(late.hold.stopClosesAt, 1);
    const closed = await as(operator, 'POST', `/admin/v1/tenants/${tenantId}/challenges/${late.id}/stop`, { reason: 'too late' });
    assert.equal(closed.status, 409);
    assert.equal(closed.body.code, 'hold_stop_closed');
  });

  test("a token scoped to another tenant gets 404 for this tenant's holds", async () => {
    const challenge = await held();
    const other = await server.createTenant();
    const scoped = await token('superadmin', other.tenantId);
    assert.equal((await as(scoped, 'GET', `/admin/v1/tenants/${tenantId}/holds`)).status, 404);
    assert.equal((await as(scoped, 'POST', `/admin/v1/tenants/${tenantId}/challenges/${challenge.id}/stop`, { reason: 'x' })).status, 404);
    assert.equal((await as(scoped, 'POST', `/admin/v1/tenants/${other.tenantId}/challenges/${challenge.id}/stop`, { reason: 'x' })).status, 404, "another tenant's challenge under one's own tenant");
  });
});
