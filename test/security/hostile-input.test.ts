// Hostile strings and URLs are the client's fault: 400 problem+json, never 500, nothing stored.
// Lone UTF-16 surrogates (PostgreSQL's jsonb refuses the "\ud800" escape), NUL (text columns refuse
// it), and malformed % escapes in path parameters (decodeURIComponent throws URIError).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import fc from 'fast-check';
import { z } from 'zod';
import { refusesHostileStrings } from '../../src/http/hostile-strings.ts';
import { routeKey } from './support/security-world.ts';
import { arbitraryFromJsonSchema } from './support/json-schema-arbitrary.ts';

const loneHigh = '\uD800';
const loneLow = 'x\uDFFFy';
const nul = 'a\u0000b';

type Path = (string | number)[];
const stringPaths = (value: unknown, path: Path = []): Path[] =>
  typeof value === 'string'
    ? [path]
    : value && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, Array.isArray(value) ? Number(key) : key]))
      : [];
const getAt = (value: any, path: Path): unknown => path.reduce((current, key) => current[key], value);
const setAt = (value: any, path: Path, replacement: unknown) => {
  (getAt(value, path.slice(0, -1)) as any)[path[path.length - 1]!] = replacement;
};

for (const db of dbKinds) {
  describe(`hostile input is a 400, never a 500 (${db})`, () => {
    let server: TestServer;
    let tenantId: string;
    let client: StepupClient;
    const count = async (table: string) =>
      (await server.running.context.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
    const assertBadRequest = (response: { status: number; body: any }, what: string) => {
      assert.equal(response.status, 400, `${what}: ${response.status} ${JSON.stringify(response.body)}`);
      assert.equal(response.body.code, 'validation_failed', what);
    };

    before(async () => {
      server = await startTestServer({ db });
      ({ tenantId, client } = await server.createTenant());
    });
    after(() => server.close());

    test('tenant names with a lone surrogate or a NUL byte are refused and nothing is stored', async () => {
      const tenantsBefore = await count('tenants');
      for (const name of [loneHigh, loneLow, nul]) {
        assertBadRequest(await server.admin('POST', '/admin/v1/tenants', { name }), `name ${JSON.stringify(name)}`);
        assertBadRequest(await server.admin('PUT', `/admin/v1/tenants/${tenantId}`, { bankName: name }), `bankName ${JSON.stringify(name)}`);
      }
      assert.equal(await count('tenants'), tenantsBefore);
      const tenant = await server.admin('GET', `/admin/v1/tenants/${tenantId}`);
      assert.equal(tenant.body.bankName, 'Test Bank');
    });

    test('a challenge whose payee name carries a lone surrogate is refused and nothing is stored', async () => {
      const challengesBefore = await count('challenges');
      for (const name of [loneHigh, loneLow]) {
        const body = transferBody();
        body.transaction.payee.name = name;
        const response = await client.createChallenge<any>(body);
        assertBadRequest(response, `payee name ${JSON.stringify(name)}`);
      }
      const described = transferBody();
      described.transaction.description = `pay ${loneHigh}`;
      assertBadRequest(await client.createChallenge<any>(described), 'description');
      assert.equal(await count('challenges'), challengesBefore);
    });

    test('hostile strings inside free-form JSON (dry-run draft policy) and object keys are refused', async () => {
      const draft = await server.admin('POST', `/admin/v1/tenants/${tenantId}/policy/dry-run`, {
        policy: { note: loneHigh },
        transaction: transferBody().transaction,
      });
      assertBadRequest(draft, 'policy draft');
      const key = await server.admin('POST', `/admin/v1/tenants/${tenantId}/policy/dry-run`, {
        policy: { [`k${loneHigh}`]: 1 },
        transaction: transferBody().transaction,
      });
      assertBadRequest(key, 'policy draft key');
    });

    test('query strings with NUL or a lone surrogate are refused', async () => {
      for (const action of ['%00', 'a%00b']) {
        const response = await server.admin('GET', `/admin/v1/audit?action=${action}`);
        assertBadRequest(response, `action=${action}`);
      }
      const subject = await server.admin('GET', `/admin/v1/audit?subject=${encodeURIComponent('x')}%00`);
      assertBadRequest(subject, 'subject with NUL');
      const deliveries = await server.admin('GET', `/admin/v1/tenants/${tenantId}/deliveries?challengeId=%00`);
      assertBadRequest(deliveries, 'challengeId with NUL');
    });

    test('every declared schema (body, query, params) refuses NUL and lone surrogates in each of its strings', () => {
      let tainted = 0;
      for (const route of server.running.routes) {
        for (const [part, schema] of [['body', route.body], ['query', route.query], ['params', route.params]] as const) {
          if (!schema) continue;
          assert.ok(refusesHostileStrings(schema), `${routeKey(route)} ${part}: not built through defineRoute's hostile-string refinement`);
          // Behaviour, not only the mark: valid values derived from the schema, one string at a time tainted.
          const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
          const valid = fc.sample(arbitraryFromJsonSchema(json), { numRuns: 60, seed: 7 }).filter((value) => schema.safeParse(value).success).slice(0, 3);
          for (const value of valid) {
            const strings = stringPaths(value);
            for (const path of strings) {
              for (const taint of [loneHigh, '\uDFFF', '\u0000']) {
                const copy = structuredClone(value);
                setAt(copy, path, (getAt(copy, path) as string) + taint);
                assert.equal(schema.safeParse(copy).success, false, `${routeKey(route)} ${part}.${path.join('.')} accepted ${JSON.stringify(taint)}`);
                tainted += 1;
              }
            }
          }
        }
      }
      assert.ok(tainted > 100, `only ${tainted} tainted values were tried`);
    });

    test('malformed % escapes in path parameters are a 400 problem, on admin and bank routes', async () => {
      for (const path of ['/admin/v1/tenants/%E0%A4%A', '/admin/v1/tenants/%', `/admin/v1/tenants/${tenantId}/policy/versions/%ZZ`]) {
        const response = await server.admin('GET', path);
        assert.equal(response.status, 400, `${path}: ${response.status} ${JSON.stringify(response.body)}`);
        assert.equal(response.body.code, 'malformed_url', path);
        assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
      const bank = await client.request<any>('GET', '/v1/customers/%C0%AF');
      assert.equal(bank.status, 400, JSON.stringify(bank.body));
      assert.equal(bank.body.code, 'malformed_url');
    });

    test('an admin token name or customer phone number with hostile characters is refused', async () => {
      const tokensBefore = await count('admin_tokens');
      assertBadRequest(await server.admin('POST', '/admin/v1/tokens', { name: loneHigh, role: 'viewer' }), 'token name');
      assert.equal(await count('admin_tokens'), tokensBefore);
      const phone = await client.request<any>('PUT', '/v1/customers/cust-hostile/phone', { number: `+82 2 312 ${loneHigh}` });
      assertBadRequest(phone, 'phone number');
      const customers = await server.running.context.db.query('SELECT 1 FROM customers WHERE tenant_id = $1 AND customer_id = $2', [tenantId, 'cust-hostile']);
      assert.equal(customers.rowCount, 0);
    });
  });
}
