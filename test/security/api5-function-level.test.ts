// test: slow, about 52 s
// OWASP API5:2023 Broken Function Level Authorization. A role x route matrix over the declared
// route table: every route is called as anonymous, a bank key, each admin role and a superadmin
// scoped to a tenant, and must answer 401, 403 or get through exactly as its declaration says.
// The expected access of each route is written out below: a route without an entry, or whose
// declaration drifts from it, fails the suite.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { adminRoles } from '../../src/auth/admin-auth.ts';
import type { AdminRole, RouteDefinition } from '../../src/http/route.ts';
import { randomBytes } from 'node:crypto';
import { routeKey, send, startSecurityWorld, type AdminTokenName, type Principal, type RouteRequest, type SecurityWorld } from './support/security-world.ts';
import { routeCases } from './support/route-cases.ts';
import { signIn } from '../console/console-client.ts';

type Access = 'public' | 'bank' | `${AdminRole} ${'path' | 'global' | 'filtered'}`;

const expectedAccess: Record<string, Access> = {
  'GET /': 'public',
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  'GET /docs/init.js': 'public',
  'GET /.well-known/jwks.json': 'public',
  'POST /v1/challenges': 'bank',
  'GET /v1/challenges/:id': 'bank',
  'POST /v1/challenges/:id/cancel': 'bank',
  'POST /v1/challenges/:id/stop': 'bank',
  'POST /v1/challenges/:id/otp': 'bank',
  'GET /v1/customers/:customerId': 'bank',
  'DELETE /v1/customers/:customerId': 'bank',
  'PUT /v1/customers/:customerId/phone': 'bank',
  'PUT /v1/customers/:customerId/notification-phone': 'bank',
  'PUT /v1/customers/:customerId/knowledge-secret': 'bank',
  'POST /v1/customers/:customerId/otp-tokens': 'bank',
  'GET /v1/customers/:customerId/otp-tokens': 'bank',
  'DELETE /v1/customers/:customerId/otp-tokens/:tokenId': 'bank',
  'POST /v1/customers/:customerId/webauthn/registration-links': 'bank',
  'GET /v1/customers/:customerId/webauthn/credentials': 'bank',
  'DELETE /v1/customers/:customerId/webauthn/credentials/:credentialId': 'bank',
  // Customer pages: no caller credentials; the unguessable page token in the path is the authority.
  'GET /c/webauthn/register/:token': 'public',
  'POST /c/webauthn/register/:token/options': 'public',
  'POST /c/webauthn/register/:token/verify': 'public',
  'GET /c/webauthn/confirm/:token': 'public',
  'POST /c/webauthn/confirm/:token/options': 'public',
  'POST /c/webauthn/confirm/:token/verify': 'public',
  'POST /c/webauthn/confirm/:token/reject': 'public',
  'GET /c/hold/:id/:token': 'public',
  'POST /c/hold/:id/:token/stop': 'public',
  'POST /admin/v1/tenants': 'superadmin global',
  'GET /admin/v1/tenants': 'viewer global',
  'GET /admin/v1/tenants/:id': 'viewer path',
  'PUT /admin/v1/tenants/:id': 'superadmin path',
  'POST /admin/v1/tenants/:id/webhook-secret': 'superadmin path',
  'POST /admin/v1/tenants/:id/keys': 'superadmin path',
  'GET /admin/v1/tenants/:id/keys': 'viewer path',
  'PUT /admin/v1/tenants/:id/keys/:keyId': 'superadmin path',
  'DELETE /admin/v1/tenants/:id/keys/:keyId': 'superadmin path',
  'GET /admin/v1/tenants/:id/deliveries': 'viewer path',
  'GET /admin/v1/tenants/:id/dashboard': 'viewer path',
  'GET /admin/v1/tenants/:id/policy': 'viewer path',
  'PUT /admin/v1/tenants/:id/policy': 'policy-admin path',
  'GET /admin/v1/tenants/:id/policy/versions': 'viewer path',
  'GET /admin/v1/tenants/:id/policy/versions/:version': 'viewer path',
  'POST /admin/v1/tenants/:id/policy/dry-run': 'viewer path',
  'POST /admin/v1/tenants/:id/policy/backtest': 'viewer path',
  'GET /admin/v1/tenants/:id/policy/proposals': 'viewer path',
  'GET /admin/v1/tenants/:id/policy/proposals/:proposalId': 'viewer path',
  'POST /admin/v1/tenants/:id/policy/proposals/:proposalId/approve': 'policy-admin path',
  'POST /admin/v1/tenants/:id/policy/proposals/:proposalId/reject': 'policy-admin path',
  'POST /admin/v1/tenants/:id/policy/proposals/:proposalId/withdraw': 'policy-admin path',
  'POST /admin/v1/tenants/:id/customers/:customerId/unlock': 'operator path',
  'GET /admin/v1/tenants/:id/customers/:customerId': 'viewer path',
  'DELETE /admin/v1/tenants/:id/customers/:customerId': 'operator path',
  'GET /admin/v1/tenants/:id/challenges': 'viewer path',
  'GET /admin/v1/tenants/:id/challenges/:challengeId': 'viewer path',
  'GET /admin/v1/tenants/:id/holds': 'viewer path',
  'POST /admin/v1/tenants/:id/challenges/:challengeId/stop': 'operator path',
  'POST /admin/v1/tenants/:id/deliveries/:deliveryId/redeliver': 'operator path',
  'PUT /admin/v1/tenants/:id/carrier-gateway': 'policy-admin path',
  'GET /admin/v1/tenants/:id/carrier-gateway': 'viewer path',
  'DELETE /admin/v1/tenants/:id/carrier-gateway': 'policy-admin path',
  'GET /admin/v1/audit': 'viewer filtered',
  'GET /admin/v1/audit/verify': 'viewer global',
  'POST /admin/v1/receipt-keys/rotate': 'superadmin global',
  'POST /admin/v1/tokens': 'superadmin global',
  'GET /admin/v1/tokens': 'superadmin global',
  'DELETE /admin/v1/tokens/:tokenId': 'superadmin global',
  'GET /admin/v1/console-sessions': 'superadmin filtered',
  'GET /admin/v1/security-signals': 'viewer filtered',
  'DELETE /admin/v1/console-sessions/:sessionId': 'superadmin filtered',
};

const withdrawKey = 'POST /admin/v1/tenants/:id/policy/proposals/:proposalId/withdraw';

const declaredAccess = (route: RouteDefinition): Access =>
  route.auth.kind === 'admin' ? `${route.auth.role} ${route.auth.tenantScope}` : route.auth.kind;

type Caller = 'anonymous' | 'bank' | AdminTokenName;
const callers: Caller[] = ['anonymous', 'bank', 'viewer', 'operator', 'policy-admin', 'superadmin', 'scoped-superadmin'];

/** 401 (no valid credentials for this kind of route), 403 (not allowed) or through (anything else below 500 but 404/405). */
function expectedOutcome(access: Access, caller: Caller): 401 | 403 | 'through' {
  if (access === 'public') return 'through';
  if (access === 'bank') return caller === 'bank' ? 'through' : 401;
  if (caller === 'anonymous' || caller === 'bank') return 401;
  const [role, scope] = access.split(' ') as [AdminRole, string];
  const callerRole: AdminRole = caller === 'scoped-superadmin' ? 'superadmin' : caller;
  if (adminRoles.indexOf(callerRole) < adminRoles.indexOf(role)) return 403;
  if (caller === 'scoped-superadmin' && scope === 'global') return 403;
  return 'through';
}

for (const db of dbKinds) {
  describe(`API5 function-level authorization: role x route matrix (${db})`, () => {
    let world: SecurityWorld;
    before(async () => {
      world = await startSecurityWorld(db);
    });
    after(() => world.close());

    test('every declared route has an expected access entry that matches its declaration, and a request case', () => {
      const declared = world.server.running.routes;
      for (const route of declared) {
        const key = routeKey(route);
        assert.ok(key in expectedAccess, `${key} has no entry in expectedAccess: add one`);
        assert.equal(declaredAccess(route), expectedAccess[key], `${key}: declared access differs from the expected one`);
        assert.ok(key in routeCases, `${key} has no request case in test/security/support/route-cases.ts`);
      }
      const declaredKeys = new Set(declared.map(routeKey));
      for (const key of Object.keys(expectedAccess)) assert.ok(declaredKeys.has(key), `${key} is expected but not declared`);
    });

    test('each route answers every caller as its declaration says', async () => {
      const failures: string[] = [];
      for (const route of world.server.running.routes) {
        const key = routeKey(route);
        const access = expectedAccess[key]!;
        // A refused request (401, 403) changes nothing, so its case serves the next caller too; a new one is
        // made after a request that got through (it may have consumed the case). That a refusal stores
        // nothing is checked by the row counts of API3 and the fuzzing; one that deleted the case would
        // fail here too, as the next caller's 404.
        let request: RouteRequest | undefined;
        for (const caller of callers) {
          request ??= await routeCases[key]!(world, world.a);
          const principal: Principal =
            caller === 'anonymous' ? { kind: 'anonymous' } : caller === 'bank' ? { kind: 'bank', tenant: world.a } : { kind: 'admin', token: world.tokens[caller] };
          const response = await send(world, principal, route, request);
          // /metrics is public by route but answers only to its own METRICS_TOKEN, which no caller here holds.
          // Only its author withdraws a proposal: the case's author (the bootstrap admin) is none of the callers.
          const passes = expectedOutcome(access, caller);
          const expected = key === 'GET /metrics' ? 401 : key === withdrawKey && passes === 'through' ? 403 : passes;
          const through = response.status < 500 && ![401, 403, 404, 405].includes(response.status);
          const ok = expected === 'through' ? through : response.status === expected;
          if (!ok) failures.push(`${key} as ${caller}: expected ${expected}, got ${response.status} ${response.text.slice(0, 200)}`);
          if (response.status >= 400) assert.match(response.contentType, /application\/problem\+json/, `${key} as ${caller}`);
          if (response.status !== 401 && response.status !== 403) request = undefined;
        }
      }
      assert.deepEqual(failures, []);
    });

    test('customer page routes: an unknown or malformed page token is 404 for every caller, an ended one 410; nothing else opens them', async () => {
      const pageRoutes = world.server.running.routes.filter((route) => route.path.startsWith('/c/'));
      assert.ok(pageRoutes.length >= 7, `only ${pageRoutes.length} customer page routes`);
      const failures: string[] = [];
      for (const route of pageRoutes) {
        const key = routeKey(route);
        assert.equal(route.auth.kind, 'public', `${key}: a customer page takes no caller credentials`);
        assert.match(route.path, /\/:token(\/|$)/, `${key}: a customer page is guarded by its token`);
        const valid = await routeCases[key]!(world, world.a);
        // Well-formed but never issued (what guessing amounts to), and shapes the token pattern refuses.
        for (const token of [randomBytes(32).toString('base64url'), 'short', 'x'.repeat(44)]) {
          for (const caller of callers) {
            const principal: Principal =
              caller === 'anonymous' ? { kind: 'anonymous' } : caller === 'bank' ? { kind: 'bank', tenant: world.a } : { kind: 'admin', token: world.tokens[caller] };
            const response = await send(world, principal, route, { ...valid, params: { ...valid.params, token } });
            if (response.status !== 404 || response.body.code !== 'not_found') failures.push(`${key} token ${token.slice(0, 8)}… as ${caller}: ${response.status} ${response.text.slice(0, 160)}`);
          }
        }
      }
      // A confirmation page whose challenge has ended ("This wasn't me") answers 410 to everything.
      const reject = pageRoutes.find((route) => routeKey(route) === 'POST /c/webauthn/confirm/:token/reject')!;
      const ended = await routeCases[routeKey(reject)]!(world, world.a);
      assert.equal((await send(world, { kind: 'anonymous' }, reject, ended)).status, 200);
      for (const route of pageRoutes.filter((r) => r.path.startsWith('/c/webauthn/confirm/'))) {
        const request = { ...(await routeCases[routeKey(route)]!(world, world.a)), params: ended.params };
        const response = await send(world, { kind: 'anonymous' }, route, request);
        if (response.status !== 410) failures.push(`${routeKey(route)} on an ended challenge: ${response.status} ${response.text.slice(0, 160)}`);
      }
      assert.deepEqual(failures, []);
    });

    // The console's session endpoints and bull-board are mounted outside the route table (see
    // api9-inventory.test.ts), so the matrix above cannot reach them. test/console/console-sessions.test.ts
    // proves the cookie, CSRF, sign-out, revocation and timeouts in detail; this pins the function-level
    // refusals beside the route matrix: no caller without a console session gets in, whatever other
    // credential it holds, and a viewer's session changes nothing.
    test('console session endpoints and the queue dashboard refuse anonymous callers, bank keys and bearer tokens; a viewer session changes nothing', async () => {
      const { server } = world;
      const origin = server.publicBaseUrl;
      const sessionOnly: [RouteDefinition['method'], string][] = [
        ['get', '/admin/session'],
        ['delete', '/admin/session'],
        ['get', '/admin/queues/api/queues'],
        ['put', '/admin/queues/api/queues/maintenance/pause'],
        ['get', '/admin/queues-readonly/api/queues'],
        ['put', '/admin/queues-readonly/api/queues/maintenance/pause'],
      ];
      const failures: string[] = [];
      for (const [method, path] of sessionOnly) {
        const route = { method, path };
        const principals: [string, Principal][] = [
          ['anonymous', { kind: 'anonymous' }],
          ['bank', { kind: 'bank', tenant: world.a }],
          ['superadmin bearer', { kind: 'admin', token: world.tokens.superadmin }],
        ];
        for (const [name, principal] of principals) {
          const response = await send(world, principal, route, { params: {}, headers: { origin } });
          if (response.status !== 401 || !/problem\+json/.test(response.contentType)) failures.push(`${method.toUpperCase()} ${path} as ${name}: ${response.status} ${response.text.slice(0, 160)}`);
        }
      }
      // A browser loading the dashboard without a session is sent to the sign-in page, not shown it.
      const page = await fetch(`${server.url}/admin/queues`, { redirect: 'manual', headers: { accept: 'text/html' } });
      assert.equal(page.status, 303);
      assert.equal(page.headers.get('location'), '/admin');
      // Signing in takes an admin token in the body: none, a bank key's secret or a wrong one is refused, and no cookie is set.
      for (const token of [world.a.secret, 'not-an-admin-token-at-all']) {
        const signInAttempt = await fetch(`${server.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ token }) });
        if (signInAttempt.status !== 401 || signInAttempt.headers.get('set-cookie') !== null) failures.push(`sign-in with a non-admin token: ${signInAttempt.status}`);
      }
      assert.deepEqual(failures, []);

      const viewer = await signIn(server, world.tokens.viewer, origin);
      assert.equal(viewer.role, 'viewer');
      assert.equal((await viewer.call('GET', '/admin/queues/api/queues')).status, 200, 'a viewer reads the dashboard');
      for (const path of ['/admin/queues/api/queues/maintenance/pause', '/admin/queues-readonly/api/queues/maintenance/pause']) {
        const refused = await viewer.call('PUT', path);
        assert.equal(refused.status, 403, `${path} as a viewer session`);
        assert.equal(refused.body.code, 'forbidden', path);
      }
      assert.equal(await server.running.context.queues.maintenance.isPaused(), false, 'the queue was not paused');
      // The session yields the viewer role on the new admin routes too: erasing a customer needs an operator.
      const erase = await viewer.call('DELETE', `/admin/v1/tenants/${world.a.tenantId}/customers/${world.a.customerId}`);
      assert.equal(erase.status, 403);
      assert.equal(erase.body.code, 'forbidden');
      assert.equal((await server.admin('GET', `/admin/v1/tenants/${world.a.tenantId}/customers/${world.a.customerId}`)).status, 200, 'the customer is still there');
      // A superadmin scoped to one tenant gets no queue dashboard (queue jobs name every tenant).
      const scoped = await signIn(server, world.tokens['scoped-superadmin'], origin);
      assert.equal((await scoped.call('GET', '/admin/queues/api/queues')).status, 403);
      // An operator's change from another origin is refused (bull-board cannot send the CSRF header; Origin stands in).
      const operator = await signIn(server, world.tokens.operator, origin);
      assert.equal((await operator.call('PUT', '/admin/queues/api/queues/maintenance/pause', undefined, { origin: 'https://evil.example' })).status, 403);
      assert.equal(await server.running.context.queues.maintenance.isPaused(), false, 'the queue was not paused');
    });
  });
}
