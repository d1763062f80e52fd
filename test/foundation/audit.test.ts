import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';

for (const db of dbKinds) {
  describe(`audit trail (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db });
    });
    after(() => server.close());

    test('rows deleted from the end are noticed through the chain head', async () => {
      await server.createTenant({ name: 'Tail' });
      const verdictBefore = await server.admin('GET', '/admin/v1/audit/verify');
      assert.equal(verdictBefore.body.ok, true);
      await server.running.context.db.query('DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)');
      const verdict = await server.admin('GET', '/admin/v1/audit/verify');
      assert.equal(verdict.body.ok, false);
      // Put the chain back in order for the next test: rebuild the head from the last row.
      await server.running.context.db.query(`UPDATE audit_head SET seq = (SELECT max(seq) FROM audit_log), hash = (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)`);
      assert.equal((await server.admin('GET', '/admin/v1/audit/verify')).body.ok, true);
    });

    test('decisions and admin changes are chained; a tampered row is found', async () => {
      const { client, tenantId } = await server.createTenant();
      const created = await client.createChallenge<any>(transferBody({}, '1000'));
      assert.equal(created.status, 201);
      const entries = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}`);
      assert.equal(entries.status, 200);
      const actions = entries.body.entries.map((e: any) => e.action);
      assert.ok(actions.includes('tenant.created'));
      assert.ok(actions.includes('key.created'));
      assert.ok(actions.includes('challenge.created'));
      const decision = entries.body.entries.find((e: any) => e.action === 'challenge.created');
      assert.equal(decision.data.status, 'not_required');
      assert.deepEqual(decision.data.reasons, []);

      const verdict = await server.admin('GET', '/admin/v1/audit/verify');
      assert.deepEqual(verdict.body, { ok: true, rows: verdict.body.rows });
      assert.ok(verdict.body.rows >= 3);

      // Someone with database access rewrites history: the chain breaks at that row.
      const target = entries.body.entries.find((e: any) => e.action === 'key.created');
      await server.running.context.db.query(`UPDATE audit_log SET data = '{"keyId":"key_forged"}'::jsonb WHERE seq = $1`, [target.seq]);
      const broken = await server.admin('GET', '/admin/v1/audit/verify');
      assert.equal(broken.body.ok, false);
      assert.equal(broken.body.brokenAtSeq, target.seq);
    });

    test('a deleted row in the middle breaks the chain', async () => {
      await server.createTenant({ name: 'A' });
      await server.createTenant({ name: 'B' });
      const all = await server.admin('GET', '/admin/v1/audit?limit=500');
      const seqs = all.body.entries.map((e: any) => e.seq).sort((a: number, b: number) => a - b);
      const middle = seqs[Math.floor(seqs.length / 2)];
      await server.running.context.db.query('DELETE FROM audit_log WHERE seq = $1', [middle]);
      const verdict = await server.admin('GET', '/admin/v1/audit/verify');
      assert.equal(verdict.body.ok, false);
      assert.ok(verdict.body.brokenAtSeq <= middle);
    });
  });

  // On a server of its own: backdating rows breaks the hash chain the other tests verify.
  describe(`audit trail by time (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db });
    });
    after(() => server.close());

    test('the trail filters by time on the server: from inclusive, to exclusive', async () => {
      const { tenantId } = await server.createTenant({ name: 'Timed' });
      // Backdate this tenant's creation a month, as if it happened long before the newest 500 entries.
      const all = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}`);
      assert.ok(all.body.entries.length > 0);
      await server.running.context.db.query(`UPDATE audit_log SET created_at = created_at - interval '30 days' WHERE tenant_id = $1`, [tenantId]);
      const monthAgo = new Date(Date.now() - 31 * 86_400_000).toISOString();
      const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
      const inWindow = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&from=${encodeURIComponent(monthAgo)}&to=${encodeURIComponent(weekAgo)}`);
      assert.equal(inWindow.status, 200);
      assert.equal(inWindow.body.entries.length, all.body.entries.length);
      const recent = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&from=${encodeURIComponent(weekAgo)}`);
      assert.deepEqual(recent.body.entries, []);
      const bad = await server.admin('GET', `/admin/v1/audit?from=yesterday`);
      assert.equal(bad.status, 400);
    });
  });
}
