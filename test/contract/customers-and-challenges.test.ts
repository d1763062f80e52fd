// docs/bank-api.md as an integrator reads them, against a running server: the enrollment summary names
// a passkey count and is documented; an Idempotency-Key replay is the same response, byte for byte;
// a challenge read back has its transaction in the order the 201 showed it; problem responses are
// documented as application/problem+json.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { importToken, otpTransfer } from '../otp-channel/otp-support.ts';
import { StepupClient } from '../../src/client/stepup-client.ts';

/** POST through a client whose fetch keeps the raw response text (the replay is compared as text). */
async function rawPost(baseUrl: string, credentials: { keyId: string; secret: string }, path: string, body: unknown, headers: Record<string, string>) {
  let text = '';
  const capturing = new StepupClient({
    baseUrl,
    credentials,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      text = await response.clone().text();
      return response;
    },
  });
  const response = await capturing.request('POST', path, body, headers);
  return { status: response.status, text };
}

for (const db of dbKinds) {
  describe(`bank API contract (${db})`, () => {
    let server: TestServer;
    let client: StepupClient;
    let credentials: { keyId: string; secret: string };
    before(async () => {
      server = await startTestServer({ db });
      const tenant = await server.createTenant();
      client = tenant.client;
      credentials = { keyId: tenant.keyId, secret: tenant.secret };
    });
    after(() => server.close());

    test('GET /v1/customers/{id}: masked phone, passkey count, tokens and lock state; nothing secret', async () => {
      assert.equal((await client.request('PUT', '/v1/customers/cust-sum/phone', { number: '+82 2-312-3456' })).status, 200);
      assert.equal((await client.request('PUT', '/v1/customers/cust-sum/knowledge-secret', { secret: '20478153' })).status, 204);
      await importToken(client, 'cust-sum', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN16', secretHex: '3132333435363738393031323334353637383930' });
      const summary = await client.request<any>('GET', '/v1/customers/cust-sum');
      assert.equal(summary.status, 200);
      assert.equal(summary.body.customerId, 'cust-sum');
      assert.equal(summary.body.passkeys, 0);
      assert.equal(summary.body.phone.number, '+82 2-***-3456');
      assert.deepEqual({ knowledgeSecret: summary.body.ars.knowledgeSecret, locked: summary.body.ars.locked }, { knowledgeSecret: true, locked: false });
      assert.equal(summary.body.otpTokens.length, 1);
      const text = JSON.stringify(summary.body);
      for (const secret of ['20478153', '3123456', '3132333435']) assert.ok(!text.includes(secret), `summary holds ${secret}`);

      const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as any;
      const schema = openapi.paths['/v1/customers/{customerId}'].get.responses['200'].content['application/json'].schema;
      for (const key of ['customerId', 'passkeys', 'phone', 'ars', 'otpTokens']) assert.ok(schema.properties[key], `summary schema documents ${key}`);
    });

    test('Idempotency-Key: the same body gets the same response byte for byte; another body is 409', async () => {
      await importToken(client, 'cust-idem', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN16', secretHex: '3132333435363738393031323334353637383930' });
      const body = otpTransfer('cust-idem', '110-123-456789');
      const headers = { 'idempotency-key': 'idem-contract-0001' };
      const first = await rawPost(server.url, credentials, '/v1/challenges', body, headers);
      const again = await rawPost(server.url, credentials, '/v1/challenges', body, headers);
      assert.equal(first.status, 201);
      assert.equal(again.status, 201);
      assert.equal(again.text, first.text);
      const other = await client.request<any>('POST', '/v1/challenges', { ...body, transaction: { ...(body.transaction as object), reference: 'TX-OTHER' } }, headers);
      assert.equal(other.status, 409);
      assert.equal(other.body.code, 'idempotency_key_reused');
    });

    test('a challenge read back shows its transaction as the 201 did (docs/bank-api.md order, payee account masked)', async () => {
      await importToken(client, 'cust-order', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN16', secretHex: '3132333435363738393031323334353637383930' });
      const created = await client.request<any>('POST', '/v1/challenges', otpTransfer('cust-order', '110-123-456789'));
      assert.equal(created.status, 201);
      const read = await client.request<any>('GET', `/v1/challenges/${created.body.id}`);
      assert.equal(JSON.stringify(read.body.transaction), JSON.stringify(created.body.transaction));
      assert.deepEqual(Object.keys(read.body.transaction), ['reference', 'type', 'amount', 'payee']);
      assert.deepEqual(Object.keys(read.body.transaction.payee), ['name', 'bank', 'account']);
      assert.equal(read.body.transaction.payee.account, '***-***-456789');
    });

    test('OpenAPI documents every 4xx answer as application/problem+json', async () => {
      const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as any;
      const wrong: string[] = [];
      for (const [path, operations] of Object.entries<any>(openapi.paths)) {
        for (const [method, operation] of Object.entries<any>(operations)) {
          for (const [status, response] of Object.entries<any>(operation.responses)) {
            if (Number(status) >= 400 && response.content && !response.content['application/problem+json']) wrong.push(`${method} ${path} ${status}`);
          }
        }
      }
      assert.deepEqual(wrong, []);
    });
  });
}
