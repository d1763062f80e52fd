// test: slow, about 25 s
// OWASP API3:2023 Broken Object Property Level Authorization, over every declared route:
// - mass assignment: an unknown field, or a field the server owns (id, status, createdAt, tenantId,
//   ...), added to a valid body is refused with 400 and nothing is stored;
// - excessive data exposure: no response — of any route, as any caller allowed to call it — holds a
//   secret, a full account or phone number, the knowledge digits, an OTP seed or a credential.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { dbKinds } from '../support/databases.ts';
import type { RouteDefinition } from '../../src/http/route.ts';
import { knowledgeSecret, otpSeedHex, payeeAccount, phoneNumber, routeKey, send, startSecurityWorld, type Principal, type RouteRequest, type SecurityWorld } from './support/security-world.ts';
import { routeCases } from './support/route-cases.ts';
import type { Db } from '../../src/storage/db.ts';
import { getPage, newAuthenticator, pagePath, passkeyTransfer, postPage, registerPasskey, startWebAuthnServer, type WebAuthnTestServer } from '../webauthn/webauthn-support.ts';

/** Fields the server sets; a body may carry one only where the route declares it as input. */
const serverOwnedFields = ['id', 'status', 'createdAt', 'updatedAt', 'tenantId', 'keyId', 'version', 'author', 'webhookSecret', 'secret', 'token', 'revokedAt', 'locked', 'lockedAt', 'lastUsedAt', 'decision', 'result', 'hash', 'seq', 'role'];

/**
 * What a customer page must show, and why: the confirmation page is the customer's own view of the
 * transaction they approve with their passkey, reached only with the page's unguessable token; it
 * shows the full payee account so that the customer sees the payee stepup received and signs for
 * (docs/webauthn-channel.md, "What the page shows"). Everywhere else — the bank API, the admin
 * views — it stays masked.
 */
const customerPageShows: Record<string, string[]> = {
  'GET /c/webauthn/confirm/:token': ['full payee account'],
};

/** The top-level input fields a body schema declares (across the branches of a union). */
function declaredInputFields(schema: z.ZodType): Set<string> {
  const fields = new Set<string>();
  const visit = (json: Record<string, any>) => {
    for (const name of Object.keys(json.properties ?? {})) fields.add(name);
    for (const branch of [...(json.anyOf ?? []), ...(json.oneOf ?? []), ...(json.allOf ?? [])]) visit(branch);
  };
  visit(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, any>);
  return fields;
}

async function rowCounts(world: SecurityWorld): Promise<Record<string, number>> {
  const db = world.server.running.context.db;
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
       AND table_name NOT IN ('audit_log', 'audit_inbox', 'schema_migrations') ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name: table } of tables.rows) counts[table] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
  return counts;
}

for (const db of dbKinds) {
  describe(`API3 property-level authorization (${db})`, () => {
    let world: SecurityWorld;
    before(async () => {
      world = await startSecurityWorld(db);
    });
    after(() => world.close());

    const caller = (route: RouteDefinition): Principal =>
      route.auth.kind === 'bank' ? { kind: 'bank', tenant: world.a } : route.auth.kind === 'admin' ? { kind: 'admin', token: world.tokens.superadmin } : { kind: 'anonymous' };

    test('unknown and server-owned fields in any body are refused with 400, and nothing is stored', async () => {
      const bodyRoutes = world.server.running.routes.filter((route) => route.body);
      assert.ok(bodyRoutes.length >= 12, `only ${bodyRoutes.length} routes take a body`);
      // Requests are prepared first (cases may create fresh resources), then every row is counted. One case
      // per route serves all its attempts: each is to be refused, and a refusal changes nothing (one that
      // got through instead fails the test by its own answer, whatever it did to the case).
      const attempts: { route: RouteDefinition; request: RouteRequest; field: string }[] = [];
      for (const route of bodyRoutes) {
        const key = routeKey(route);
        const declared = declaredInputFields(route.body!);
        const request = await routeCases[key]!(world, world.a);
        assert.equal(typeof request.body, 'object', `${key}: the case has no body`);
        for (const field of ['unexpectedField', '__proto__x', ...serverOwnedFields.filter((f) => !declared.has(f))]) {
          attempts.push({ route, request: { ...request, body: { ...(request.body as object), [field]: field === 'status' ? 'approved' : 'ten_AAAAAAAAAAAA' } }, field });
        }
      }
      const before = await rowCounts(world);
      const failures: string[] = [];
      for (const { route, request, field } of attempts) {
        const response = await send(world, caller(route), route, request);
        if (response.status !== 400 || response.body.code !== 'validation_failed') failures.push(`${routeKey(route)} + ${field}: ${response.status} ${response.text.slice(0, 160)}`);
      }
      assert.deepEqual(failures, []);
      assert.deepEqual(await rowCounts(world), before);
    });

    test('no response of any route holds a secret, a full account or phone number, knowledge digits or a credential', async () => {
      const forbidden: [string, string][] = [
        ['full payee account', payeeAccount],
        ['payee account digits', payeeAccount.replace(/\D/g, '')],
        ['full phone number', phoneNumber],
        ['phone number digits', phoneNumber.replace(/\D/g, '')],
        ['national phone digits', phoneNumber.slice(3)],
        ['knowledge digits', knowledgeSecret],
        ['OTP seed', otpSeedHex],
        ["tenant A's API key secret", world.a.secret],
        ["tenant A's webhook secret", world.a.webhookSecret],
        ['bootstrap admin token', world.server.adminToken],
        ['master key', world.server.config.masterKeys.current.key.toString('base64')],
        ...Object.entries(world.tokens).map(([name, token]): [string, string] => [`${name} admin token`, token]),
      ];
      const failures: string[] = [];
      let checked = 0;
      for (const route of world.server.running.routes) {
        const key = routeKey(route);
        const request = await routeCases[key]!(world, world.a);
        const response = await send(world, caller(route), route, request);
        assert.ok(response.status < 500, `${key}: ${response.status}`);
        checked += 1;
        for (const [what, value] of forbidden) {
          if (!response.text.includes(value)) continue;
          if (customerPageShows[key]?.includes(what) && route.auth.kind === 'public' && response.status === 200) continue;
          failures.push(`${key} (${response.status}) reveals the ${what}`);
        }
      }
      // The audit trail and the customer summary are where such values would most likely leak.
      for (const path of [`/admin/v1/audit?tenantId=${world.a.tenantId}&limit=500`, `/admin/v1/tenants/${world.a.tenantId}/deliveries`]) {
        const text = await (await fetch(world.server.url + path, { headers: { authorization: `Bearer ${world.server.adminToken}` } })).text();
        for (const [what, value] of forbidden) if (text.includes(value)) failures.push(`${path} reveals the ${what}`);
      }
      assert.equal(checked, world.server.running.routes.length);
      assert.deepEqual(failures, []);
    });
  });
}

/** Every stored value of every table, as text (one row per line), to look for what must never be stored. */
async function everyStoredValue(db: Db): Promise<string> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const lines: string[] = [];
  for (const { table_name: table } of tables.rows) {
    const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`);
    for (const { row } of rows.rows) lines.push(`${table}: ${row}`);
  }
  return lines.join('\n');
}

// M1 (docs/security.md): a live confirmation link is a bearer credential for the customer's transfer.
// It goes to the bank (the creation answer, and GET while the page can still be used); it is never
// stored readable, never shown to an admin, never logged — however its path is spelled.
for (const db of dbKinds) {
  describe(`API3 the passkey page token stays secret (${db})`, () => {
    let server: WebAuthnTestServer;
    before(async () => {
      server = await startWebAuthnServer({ db, captureLogs: true });
    });
    after(() => server.close());

    test('M1: the token is in no stored column, no admin view and no log line; the bank gets the link while it may be used', async () => {
      const { client, tenantId } = await server.bank();
      await registerPasskey(server, client, 'cust-m1', newAuthenticator(server));
      const transfer = passkeyTransfer('cust-m1');
      const created = await client.createChallenge<any>(transfer, { idempotencyKey: `m1-${tenantId}` });
      assert.equal(created.status, 201);
      const { id, customerUrl } = created.body;
      assert.match(customerUrl, new RegExp(`^${server.publicBaseUrl}/c/webauthn/confirm/[A-Za-z0-9_-]{43}$`));
      const token = pagePath(customerUrl).split('/').pop()!;
      assert.equal((await getPage(server, customerUrl)).status, 200);
      // The bank's own reads while the page may be used: GET, and a retry with the same idempotency key.
      assert.equal((await client.request<any>('GET', `/v1/challenges/${id}`)).body.customerUrl, customerUrl);
      const replayed = await client.createChallenge<any>(transfer, { idempotencyKey: `m1-${tenantId}` });
      assert.equal(replayed.body.id, id, JSON.stringify(replayed.body));
      assert.equal(replayed.body.customerUrl, customerUrl);

      // Admins: a tenant-scoped viewer and the superadmin, on the timeline and the list.
      const viewer = await server.admin('POST', '/admin/v1/tokens', { name: 'm1-viewer', role: 'viewer', tenantId });
      assert.equal(viewer.status, 201);
      for (const bearer of [viewer.body.token, server.adminToken]) {
        for (const path of [`/admin/v1/tenants/${tenantId}/challenges/${id}`, `/admin/v1/tenants/${tenantId}/challenges`]) {
          const response = await fetch(server.url + path, { headers: { authorization: `Bearer ${bearer}` } });
          assert.equal(response.status, 200, path);
          assert.ok(!(await response.text()).includes(token), `${path} shows the live link`);
        }
      }

      // Storage: every column of every table, with the page live and after it ended.
      const storage = server.running.context.db;
      assert.ok(!(await everyStoredValue(storage)).includes(token), 'the page token is stored readable');
      assert.equal((await postPage(server, customerUrl, '/reject')).body.status, 'denied');
      assert.ok(!(await everyStoredValue(storage)).includes(token), 'the page token is stored readable after the challenge ended');
      // An ended page's link is no longer handed out, even to the bank.
      assert.equal((await client.request<any>('GET', `/v1/challenges/${id}`)).body.customerUrl, null);
      assert.ok(!server.logs.join('').includes(token), 'a log line holds the page token');
    });

    test('L3: the access log masks the page token by the matched route, however the path is spelled', async () => {
      const { client } = await server.bank();
      await registerPasskey(server, client, 'cust-l3', newAuthenticator(server));
      const { customerUrl } = await client.createChallenge<any>(passkeyTransfer('cust-l3')).then((created) => created.body);
      const token = pagePath(customerUrl).split('/').pop()!;
      // Routes match without regard to case: these reach the page.
      assert.equal((await fetch(`${server.url}/C/WEBAUTHN/CONFIRM/${token}`)).status, 200);
      assert.equal((await fetch(`${server.url}/c/Webauthn/Confirm/${token}/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 200);
      // A path that matches no route still has its token masked.
      assert.equal((await fetch(`${server.url}/C/webauthn/confirm/${token}/nothing-here`)).status, 404);
      const logs = server.logs.join('');
      assert.ok(logs.includes('/C/WEBAUTHN/CONFIRM/***'), 'the upper-cased request is in the access log, masked');
      assert.ok(!logs.includes(token), 'a log line holds the page token');
    });
  });
}
