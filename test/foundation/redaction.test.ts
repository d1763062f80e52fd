// No secret, full account number or token ever appears in a log line or a response.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { signRequestHeaders } from '../../src/client/stepup-client.ts';

describe('secrets stay out of logs and responses', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ captureLogs: true });
  });
  after(() => server.close());

  test('keys, webhook secrets, admin token and full payee accounts are never logged or echoed', async () => {
    const { client, secret, webhookSecret, keyId } = await server.createTenant();
    const responses: string[] = [];
    const record = async (promise: Promise<{ body: unknown }>) => responses.push(JSON.stringify((await promise).body));
    await record(client.createChallenge(transferBody({}, '1000')));
    await record(client.createChallenge(transferBody({ customerId: 'cust-x' }, '5000000')));
    await record(client.createChallenge({ ...transferBody(), bogus: 'x' }));
    // A forged request carrying the real secret in a header must not be logged either.
    const body = JSON.stringify(transferBody());
    const headers = await signRequestHeaders({ method: 'POST', targetUri: `${server.url}/v1/challenges`, body, credentials: { keyId, secret } });
    await fetch(`${server.url}/v1/challenges`, { method: 'POST', headers: { ...headers, 'x-debug': secret }, body: body.replace('3500000', '3500001') });
    await server.admin('GET', '/admin/v1/tenants');

    const logs = server.logs.join('');
    assert.ok(logs.length > 500, 'logs were captured');
    const forbidden = [secret, webhookSecret, server.adminToken, '110-123-456789', '110123456789', Object.entries(headers).find(([name]) => name.toLowerCase() === 'signature')![1]];
    for (const value of forbidden) {
      assert.ok(!logs.includes(value), `log contains ${value.slice(0, 6)}…`);
      for (const response of responses) assert.ok(!response.includes(value) || value === secret, 'response leaks a secret');
    }
    for (const response of responses) assert.ok(!response.includes('110-123-456789'));
    assert.match(logs, /bank request rejected/);
  });
});
