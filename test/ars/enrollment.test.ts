// Enrollment API (docs/ars-channel.md): phone vetting and masking, knowledge secret rules, the summary,
// erasure, and that the stored values are encrypted.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

for (const db of dbKinds) {
  describe(`customer enrollment for ARS (${db})`, () => {
    let server: TestServer;
    let client: StepupClient;
    let otherClient: StepupClient;
    before(async () => {
      server = await startTestServer({ db });
      ({ client } = await server.createTenant());
      ({ client: otherClient } = await server.createTenant());
    });
    after(() => server.close());

    test('a Seoul landline is stored and echoed masked', async () => {
      const response = await client.request<any>('PUT', '/v1/customers/cust-1/phone', { number: '+82 2-312-3456' });
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { number: '+82 2-***-3456', lineType: 'landline', callForwarding: null, eligible: true, reasons: [] });
      const national = await client.request<any>('PUT', '/v1/customers/cust-1/phone', { number: '+82 (31) 312 3456' });
      assert.equal(national.body.number, '+82 31-***-3456');
      const rows = await server.running.context.db.query<any>('SELECT phone_enc, phone_masked, phone_hash FROM ars_customers WHERE customer_id = $1', ['cust-1']);
      assert.ok(!JSON.stringify(rows.rows).includes('3123456'), 'the full number is not stored in clear');
    });

    test('mobile and VoIP numbers, other countries and non-numbers are refused; nothing is stored', async () => {
      const mobile = await client.request<any>('PUT', '/v1/customers/cust-2/phone', { number: '+82 10-1234-5678' });
      assert.equal(mobile.status, 422);
      assert.equal(mobile.body.code, 'line_type_not_allowed');
      assert.deepEqual(mobile.body.reasons, ['line_type_not_allowed']);
      assert.equal(mobile.body.number, '+82 10-***-5678');
      const voip = await client.request<any>('PUT', '/v1/customers/cust-2/phone', { number: '+82 70-1234-5678' });
      assert.equal(voip.body.code, 'line_type_not_allowed');
      const abroad = await client.request<any>('PUT', '/v1/customers/cust-2/phone', { number: '+44 20 7946 0018' });
      assert.equal(abroad.body.code, 'country_not_allowed');
      const junk = await client.request<any>('PUT', '/v1/customers/cust-2/phone', { number: 'call me' });
      assert.equal(junk.body.code, 'invalid_number');
      const unknownField = await client.request<any>('PUT', '/v1/customers/cust-2/phone', { number: '+8223123456', extra: 1 });
      assert.equal(unknownField.status, 400);
      assert.equal((await client.request('GET', '/v1/customers/cust-2')).status, 404);
    });

    test('knowledge secrets: 6–12 digits, weak ones refused, never returned', async () => {
      for (const weak of ['111111', '123456', '987654', '890123', '121212', '123123123123']) {
        const refused = await client.request<any>('PUT', '/v1/customers/cust-3/knowledge-secret', { secret: weak });
        assert.equal(refused.status, 422, weak);
        assert.equal(refused.body.code, 'weak_secret');
      }
      for (const bad of ['12345', '1234567890123', '12a456', '']) {
        assert.equal((await client.request('PUT', '/v1/customers/cust-3/knowledge-secret', { secret: bad })).status, 400, bad);
      }
      const stored = await client.request('PUT', '/v1/customers/cust-3/knowledge-secret', { secret: '20478153' });
      assert.equal(stored.status, 204);
      const rows = await server.running.context.db.query<any>('SELECT secret_enc FROM ars_customers WHERE customer_id = $1', ['cust-3']);
      assert.match(rows.rows[0].secret_enc, /^v1\.k1\./, 'envelope with the master key id');
      const summary = await client.request<any>('GET', '/v1/customers/cust-3');
      assert.equal(summary.status, 200);
      assert.equal(summary.body.ars.knowledgeSecret, true);
      assert.ok(!JSON.stringify(summary.body).includes('20478153'));
    });

    test('the summary shows the masked phone and lock state; another tenant sees nothing', async () => {
      await client.request('PUT', '/v1/customers/cust-4/phone', { number: '+8223123456' });
      await client.request('PUT', '/v1/customers/cust-4/knowledge-secret', { secret: '20478153' });
      const summary = await client.request<any>('GET', '/v1/customers/cust-4');
      assert.equal(summary.body.customerId, 'cust-4');
      assert.equal(summary.body.phone.number, '+82 2-***-3456');
      assert.equal(summary.body.phone.lineType, 'landline');
      assert.equal(summary.body.ars.locked, false);
      assert.equal((await otherClient.request('GET', '/v1/customers/cust-4')).status, 404);
      assert.equal((await otherClient.request('DELETE', '/v1/customers/cust-4')).status, 404);
    });

    test('changing the number records when it changed; the first number does not', async () => {
      await client.request('PUT', '/v1/customers/cust-5/phone', { number: '+8223123456' });
      const first = await server.running.context.db.query<any>('SELECT number_changed_at FROM ars_customers WHERE customer_id = $1', ['cust-5']);
      assert.equal(first.rows[0].number_changed_at, null);
      await client.request('PUT', '/v1/customers/cust-5/phone', { number: '+8223123456' });
      const same = await server.running.context.db.query<any>('SELECT number_changed_at FROM ars_customers WHERE customer_id = $1', ['cust-5']);
      assert.equal(same.rows[0].number_changed_at, null);
      await client.request('PUT', '/v1/customers/cust-5/phone', { number: '+8223129999' });
      const changed = await server.running.context.db.query<any>('SELECT number_changed_at FROM ars_customers WHERE customer_id = $1', ['cust-5']);
      assert.ok(changed.rows[0].number_changed_at instanceof Date);
    });

    test('DELETE erases phone and secret (audited) and the customer is gone', async () => {
      await client.request('PUT', '/v1/customers/cust-6/phone', { number: '+8223123456' });
      await client.request('PUT', '/v1/customers/cust-6/knowledge-secret', { secret: '20478153' });
      assert.equal((await client.request('DELETE', '/v1/customers/cust-6')).status, 204);
      assert.equal((await client.request('GET', '/v1/customers/cust-6')).status, 404);
      const rows = await server.running.context.db.query('SELECT 1 FROM ars_customers WHERE customer_id = $1', ['cust-6']);
      assert.equal(rows.rows.length, 0);
      const audit = await server.admin('GET', '/admin/v1/audit');
      assert.match(JSON.stringify(audit.body), /customer\.erased/);
    });
  });
}
