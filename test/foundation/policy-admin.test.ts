import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';

for (const db of dbKinds) {
  describe(`policy administration (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db, env: { POLICY_CACHE_MS: '0' } });
    });
    after(() => server.close());

    test('defaults, versioned PUT with If-Match, old versions readable, challenges follow', async () => {
      const { tenantId, client } = await server.createTenant();
      const initial = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
      assert.equal(initial.status, 200);
      assert.equal(initial.body.version, 0);
      assert.equal(initial.headers.get('etag'), '"v0"');
      assert.equal(initial.body.document.stepUp.dailyCumulativeThreshold, '3000000');
      assert.equal(initial.body.document.channels.ars.lockAfterConsecutiveFailures, 5);

      const draft = structuredClone(initial.body.document);
      draft.stepUp.dailyCumulativeThreshold = '500000';
      const missing = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, draft);
      assert.equal(missing.status, 428);
      assert.equal(missing.body.code, 'precondition_required');

      const written = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, draft, { 'if-match': '"v0"' });
      assert.equal(written.status, 200);
      assert.equal(written.body.version, 1);
      assert.equal(written.body.author, 'admin:bootstrap');

      const stale = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, draft, { 'if-match': '"v0"' });
      assert.equal(stale.status, 412);
      assert.equal(stale.body.code, 'precondition_failed');

      const versions = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy/versions`);
      assert.deepEqual(versions.body.versions.map((v: any) => v.version), [1]);
      const old = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy/versions/0`);
      assert.equal(old.body.document.stepUp.dailyCumulativeThreshold, '3000000');

      // The new threshold applies to new challenges (this server reads the policy afresh: POLICY_CACHE_MS=0).
      const challenge = await client.createChallenge<any>(transferBody({ customerId: 'cust-policy' }, '600000'));
      assert.deepEqual(challenge.body.decision.reasons, ['daily_cumulative_threshold']);
    });

    test('an invalid policy is refused with every problem listed and nothing stored', async () => {
      const { tenantId } = await server.createTenant();
      const current = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
      const draft = structuredClone(current.body.document);
      draft.timezone = 'Mars/Olympus';
      draft.channels.ars.unknownKnob = true;
      const refused = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, draft, { 'if-match': '"v0"' });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'validation_failed');
      assert.ok(refused.body.errors.length >= 2, JSON.stringify(refused.body.errors));
      const after = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
      assert.equal(after.body.version, 0);
    });

    test('dry-run evaluates a draft without side effects', async () => {
      const { tenantId } = await server.createTenant();
      const current = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
      const draft = structuredClone(current.body.document);
      draft.stepUp.riskScoreThreshold = 0.1;
      const result = await server.admin('POST', `/admin/v1/tenants/${tenantId}/policy/dry-run`, {
        policy: draft,
        transaction: transferBody().transaction,
        context: { riskScore: 0.2, payeeRegistered: false },
        todayApproved: '0',
      });
      assert.equal(result.status, 200);
      assert.equal(result.body.stepUpRequired, true);
      assert.ok(result.body.reasons.includes('risk_score'));
      assert.ok(result.body.reasons.includes('daily_cumulative_threshold'));
      assert.ok(result.body.reasons.includes('unregistered_payee_limit'));
      const count = await server.running.context.db.query<{ n: number }>('SELECT count(*)::int AS n FROM challenges WHERE tenant_id = $1', [tenantId]);
      assert.equal(count.rows[0]!.n, 0);
    });

    test('admin roles: a viewer reads but cannot change policy; no token is 401', async () => {
      const { tenantId } = await server.createTenant();
      const viewer = await server.admin('POST', '/admin/v1/tokens', { name: 'auditor', role: 'viewer' });
      assert.equal(viewer.status, 201);
      const asViewer = (method: string, path: string, body?: unknown) =>
        fetch(server.url + path, { method, headers: { authorization: `Bearer ${viewer.body.token}`, 'content-type': 'application/json', 'if-match': '"v0"' }, body: body === undefined ? undefined : JSON.stringify(body) });
      assert.equal((await asViewer('GET', `/admin/v1/tenants/${tenantId}/policy`)).status, 200);
      const current = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
      const put = await asViewer('PUT', `/admin/v1/tenants/${tenantId}/policy`, current.body.document);
      assert.equal(put.status, 403);
      assert.equal((await fetch(`${server.url}/admin/v1/tenants`)).status, 401);
    });
  });
}
