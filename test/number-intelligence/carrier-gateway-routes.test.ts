// Admin routes for the tenant's carrier gateway, on PGlite and PostgreSQL: validation, SSRF refusal,
// roles, the secret shown once or accepted write-only and never returned or logged, audit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { CarrierGatewayStore, generateGatewaySecret } from '../../src/telephony/number-intelligence/carrier-gateway-store.ts';

for (const db of dbKinds) {
  describe(`carrier gateway admin routes (${db})`, () => {
    let server: TestServer;
    let store: CarrierGatewayStore;
    before(async () => {
      server = await startTestServer({ db, captureLogs: true });
      store = new CarrierGatewayStore(server.running.context.db, server.running.context.envelope);
    });
    after(() => server.close());

    const path = (tenantId: string) => `/admin/v1/tenants/${tenantId}/carrier-gateway`;
    const storedSecret = async (tenantId: string) => (await store.target(tenantId, true))?.secret;

    it('generates a secret on first configuration and shows it once; GET never shows it', async () => {
      const { tenantId } = await server.createTenant();
      const put = await server.admin('PUT', path(tenantId), { url: 'https://gateway.bank.example/inquiry', timeoutMs: 1500 });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.match(put.body.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
      assert.equal(put.body.url, 'https://gateway.bank.example/inquiry');
      assert.equal(put.body.timeoutMs, 1500);
      assert.equal(put.body.enabled, true);
      assert.equal(await storedSecret(tenantId), put.body.secret);

      const get = await server.admin('GET', path(tenantId));
      assert.equal(get.status, 200);
      assert.deepEqual(Object.keys(get.body).sort(), ['createdAt', 'enabled', 'timeoutMs', 'updatedAt', 'url']);

      // Changing other settings keeps the secret and does not show it again.
      const again = await server.admin('PUT', path(tenantId), { url: 'https://gateway2.bank.example/inquiry', enabled: false });
      assert.equal(again.status, 200);
      assert.equal(again.body.secret, undefined);
      assert.equal(again.body.timeoutMs, 2000, 'the default timeout');
      assert.equal(again.body.enabled, false);
      assert.equal(await store.target(tenantId, true), undefined, 'a disabled gateway is not asked');
      await server.admin('PUT', path(tenantId), { url: 'https://gateway2.bank.example/inquiry' });
      assert.equal(await storedSecret(tenantId), put.body.secret);

      const rotated = await server.admin('PUT', path(tenantId), { url: 'https://gateway2.bank.example/inquiry', rotateSecret: true });
      assert.match(rotated.body.secret, /^whsec_/);
      assert.notEqual(rotated.body.secret, put.body.secret);
      assert.equal(await storedSecret(tenantId), rotated.body.secret);

      const secrets = [put.body.secret, rotated.body.secret];
      const logs = server.logs.join('');
      for (const secret of secrets) assert.ok(!logs.includes(secret) && !logs.includes(secret.slice(6)), 'a gateway secret was logged');
      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=carrier_gateway.updated`);
      assert.equal(audit.body.entries.length, 4);
      const auditText = JSON.stringify(audit.body);
      for (const secret of secrets) assert.ok(!auditText.includes(secret.slice(6)));
      assert.deepEqual(audit.body.entries.map((entry: any) => entry.data.secretChanged), [true, false, false, true]);
      assert.equal(audit.body.entries[0].data.host, 'gateway2.bank.example');
      assert.equal(audit.body.entries[0].actor, 'admin:bootstrap');
    });

    it('accepts a bank-chosen secret write-only', async () => {
      const { tenantId } = await server.createTenant();
      const secret = generateGatewaySecret();
      const put = await server.admin('PUT', path(tenantId), { url: 'https://gateway.bank.example/inquiry', secret });
      assert.equal(put.status, 200);
      assert.ok(!JSON.stringify(put.body).includes(secret.slice(6)));
      assert.equal(await storedSecret(tenantId), secret);
    });

    it('validates the body', async () => {
      const { tenantId } = await server.createTenant();
      const url = 'https://gateway.bank.example/inquiry';
      const invalid = [
        {},
        { url, bogus: true },
        { url: 'ftp://gateway.bank.example/' },
        { url: 'not a url' },
        { url, timeoutMs: 50 },
        { url, timeoutMs: 20_000 },
        { url, secret: 'plaintext-secret' },
        { url, secret: `whsec_${Buffer.alloc(8).toString('base64')}` },
        { url, secret: generateGatewaySecret(), rotateSecret: true },
      ];
      for (const body of invalid) {
        const response = await server.admin('PUT', path(tenantId), body);
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal(response.body.code, 'validation_failed');
      }
      assert.equal((await server.admin('GET', path(tenantId))).status, 404);
    });

    it('refuses URLs the SSRF guard refuses', async () => {
      const { tenantId } = await server.createTenant({ allowLoopbackCallbacks: false });
      for (const url of ['http://gateway.bank.example/inquiry', 'https://10.0.0.5/inquiry', 'https://169.254.169.254/latest', 'https://[fd00::1]/x', 'http://127.0.0.1:9/x', 'https://user:pw@gateway.bank.example/']) {
        const response = await server.admin('PUT', path(tenantId), { url });
        assert.equal(response.status, 422, url);
        assert.equal(response.body.code, 'unsafe_callback_url');
      }
      const loopbackTenant = await server.createTenant({ allowLoopbackCallbacks: true });
      assert.equal((await server.admin('PUT', path(loopbackTenant.tenantId), { url: 'http://127.0.0.1:9/x' })).status, 200, 'loopback when server and tenant allow it');
    });

    it('needs policy-admin to change, viewer to read; unknown tenants are 404', async () => {
      const { tenantId } = await server.createTenant();
      const viewer = await server.admin('POST', '/admin/v1/tokens', { name: `viewer-${db}`, role: 'viewer' });
      const policyAdmin = await server.admin('POST', '/admin/v1/tokens', { name: `pa-${db}`, role: 'policy-admin' });
      const as = (token: string) => ({ authorization: `Bearer ${token}` });
      const body = { url: 'https://gateway.bank.example/inquiry' };
      assert.equal((await server.admin('PUT', path(tenantId), body, as(viewer.body.token))).status, 403);
      assert.equal((await server.admin('PUT', path(tenantId), body, as(policyAdmin.body.token))).status, 200);
      assert.equal((await server.admin('GET', path(tenantId), undefined, as(viewer.body.token))).status, 200);
      assert.equal((await server.admin('DELETE', path(tenantId), undefined, as(viewer.body.token))).status, 403);
      assert.equal((await server.admin('PUT', path('ten_doesnotexist'), body)).status, 404);
    });

    it('DELETE removes it, audited; a second DELETE is 404', async () => {
      const { tenantId } = await server.createTenant();
      await server.admin('PUT', path(tenantId), { url: 'https://gateway.bank.example/inquiry' });
      assert.equal((await server.admin('DELETE', path(tenantId))).status, 204);
      assert.equal((await server.admin('GET', path(tenantId))).status, 404);
      assert.equal((await server.admin('DELETE', path(tenantId))).status, 404);
      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=carrier_gateway.deleted`);
      assert.equal(audit.body.entries.length, 1);
    });

    it('keeps tenants apart', async () => {
      const first = await server.createTenant();
      const second = await server.createTenant();
      await server.admin('PUT', path(first.tenantId), { url: 'https://one.bank.example/inquiry' });
      assert.equal((await server.admin('GET', path(second.tenantId))).status, 404);
      assert.equal(await store.target(second.tenantId, true), undefined);
    });
  });
}
