// Admin tokens scoped to one tenant (docs/admin-api.md): a scoped token sees and changes only its
// tenant — every other tenant answers 404 as if it did not exist — cannot list or create tenants,
// mint or list admin tokens, rotate receipt keys or verify the global audit chain (403), and reads
// only its tenant's audit entries.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { defineRoute } from '../../src/http/route.ts';

test('an admin route under /admin/v1/tenants/:id that is not declared tenantScope "path" is refused at start-up', () => {
  const declare = (path: string, tenantScope: 'path' | 'global' | 'filtered') => () =>
    defineRoute({ method: 'get', path, auth: { kind: 'admin', role: 'viewer', tenantScope }, summary: 's', tags: [], responses: {}, handler: async () => ({ status: 204 }) });
  assert.throws(declare('/admin/v1/tenants/:id/new-thing', 'global'), /tenantScope 'path'/);
  assert.throws(declare('/admin/v1/tenants/:id', 'filtered'), /tenantScope 'path'/);
  assert.throws(declare('/admin/v1/tenants', 'path'), /tenantScope 'path'/);
  assert.doesNotThrow(declare('/admin/v1/tenants/:id/new-thing', 'path'));
});

for (const db of dbKinds) {
  describe(`admin tokens scoped to a tenant (${db})`, () => {
    let server: TestServer;
    let tenantA: string;
    let tenantB: string;
    let scopedA: string;
    let scopedViewerB: string;
    const as = async (token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(server.url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    };

    before(async () => {
      server = await startTestServer({ db });
      tenantA = (await server.createTenant({ name: 'Bank A' })).tenantId;
      tenantB = (await server.createTenant({ name: 'Bank B' })).tenantId;
      const issuedA = await server.admin('POST', '/admin/v1/tokens', { name: 'bank-a-admin', role: 'superadmin', tenantId: tenantA });
      assert.equal(issuedA.status, 201, JSON.stringify(issuedA.body));
      assert.equal(issuedA.body.tenantId, tenantA);
      scopedA = issuedA.body.token;
      const issuedB = await server.admin('POST', '/admin/v1/tokens', { name: 'bank-b-viewer', role: 'viewer', tenantId: tenantB });
      assert.equal(issuedB.status, 201, JSON.stringify(issuedB.body));
      scopedViewerB = issuedB.body.token;
    });
    after(() => server.close());

    test('a scoped superadmin manages its own tenant', async () => {
      assert.equal((await as(scopedA, 'GET', `/admin/v1/tenants/${tenantA}`)).status, 200);
      const renamed = await as(scopedA, 'PUT', `/admin/v1/tenants/${tenantA}`, { bankName: 'Bank A Retail' });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      const key = await as(scopedA, 'POST', `/admin/v1/tenants/${tenantA}/keys`, {});
      assert.equal(key.status, 201, JSON.stringify(key.body));
      assert.equal((await as(scopedA, 'GET', `/admin/v1/tenants/${tenantA}/policy`)).status, 200);
    });

    test("another tenant's resources answer 404, exactly as a tenant that does not exist, and nothing changes", async () => {
      const missing = 'ten_doesnotexist00';
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['PUT', '', { bankName: 'Hijacked' }],
        ['POST', '/keys', {}],
        ['GET', '/keys', undefined],
        ['POST', '/webhook-secret', undefined],
        ['GET', '/policy', undefined],
        ['GET', '/deliveries', undefined],
      ] as const) {
        const other = await as(scopedA, method, `/admin/v1/tenants/${tenantB}${suffix}`, body);
        const absent = await as(server.adminToken, method, `/admin/v1/tenants/${missing}${suffix}`, body);
        assert.equal(other.status, 404, `${method} ${suffix}: ${JSON.stringify(other.body)}`);
        assert.equal(other.body.code, absent.body.code);
        assert.equal(other.body.detail, absent.body.detail, `${method} ${suffix}`);
      }
      const viewer = await as(scopedViewerB, 'GET', `/admin/v1/tenants/${tenantA}/policy`);
      assert.equal(viewer.status, 404);
      const b = await server.admin('GET', `/admin/v1/tenants/${tenantB}`);
      assert.equal(b.body.bankName, 'Bank B');
      const keys = await server.admin('GET', `/admin/v1/tenants/${tenantB}/keys`);
      assert.equal(keys.body.keys.length, 1);
    });

    test('a scoped token cannot list or create tenants, mint or list tokens, rotate receipt keys or verify the chain', async () => {
      const tokensBefore = await server.admin('GET', '/admin/v1/tokens');
      for (const [method, path, body] of [
        ['GET', '/admin/v1/tenants', undefined],
        ['POST', '/admin/v1/tenants', { name: 'Rogue' }],
        ['POST', '/admin/v1/tokens', { name: 'escalate', role: 'superadmin' }],
        ['POST', '/admin/v1/tokens', { name: 'escalate', role: 'viewer', tenantId: tenantA }],
        ['GET', '/admin/v1/tokens', undefined],
        ['DELETE', `/admin/v1/tokens/${tokensBefore.body.tokens[0].id}`, undefined],
        ['POST', '/admin/v1/receipt-keys/rotate', undefined],
        ['GET', '/admin/v1/audit/verify', undefined],
      ] as const) {
        const response = await as(scopedA, method, path, body);
        assert.equal(response.status, 403, `${method} ${path}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.code, 'forbidden');
      }
      const tokensAfter = await server.admin('GET', '/admin/v1/tokens');
      assert.deepEqual(tokensAfter.body, tokensBefore.body);
      const tenants = await server.admin('GET', '/admin/v1/tenants');
      assert.ok(!tenants.body.tenants.some((t: { name: string }) => t.name === 'Rogue'));
    });

    test('audit reads show only the scoped tenant', async () => {
      assert.equal((await server.admin('POST', '/admin/v1/tokens', { name: 'global-viewer', role: 'viewer' })).status, 201);
      const own = await as(scopedA, 'GET', '/admin/v1/audit?limit=500');
      assert.equal(own.status, 200);
      assert.ok(own.body.entries.length > 0);
      assert.ok(own.body.entries.every((entry: { tenantId: string }) => entry.tenantId === tenantA), JSON.stringify(own.body.entries.map((e: any) => e.tenantId)));
      const other = await as(scopedA, 'GET', `/admin/v1/audit?tenantId=${tenantB}`);
      assert.equal(other.status, 200);
      assert.deepEqual(other.body.entries, []);
      const all = await server.admin('GET', '/admin/v1/audit?limit=500');
      assert.ok(all.body.entries.some((entry: { tenantId: string | null }) => entry.tenantId === tenantB));
      assert.ok(all.body.entries.some((entry: { tenantId: string | null }) => entry.tenantId === null));
    });

    test('the token list shows each token\'s tenant; a token for a tenant that does not exist is refused', async () => {
      const tokens = await server.admin('GET', '/admin/v1/tokens');
      const scoped = tokens.body.tokens.find((t: { name: string }) => t.name === 'bank-a-admin');
      assert.equal(scoped.tenantId, tenantA);
      const unknown = await server.admin('POST', '/admin/v1/tokens', { name: 'ghost', role: 'viewer', tenantId: 'ten_doesnotexist00' });
      assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
      const after = await server.admin('GET', '/admin/v1/tokens');
      assert.equal(after.body.tokens.length, tokens.body.tokens.length);
    });
  });
}
