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
import { routeKey, send, startSecurityWorld, type AdminTokenName, type Principal, type SecurityWorld } from './support/security-world.ts';
import { routeCases } from './support/route-cases.ts';

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
  'POST /v1/challenges/:id/otp': 'bank',
  'GET /v1/customers/:customerId': 'bank',
  'DELETE /v1/customers/:customerId': 'bank',
  'PUT /v1/customers/:customerId/phone': 'bank',
  'PUT /v1/customers/:customerId/knowledge-secret': 'bank',
  'POST /v1/customers/:customerId/otp-tokens': 'bank',
  'GET /v1/customers/:customerId/otp-tokens': 'bank',
  'DELETE /v1/customers/:customerId/otp-tokens/:tokenId': 'bank',
  'POST /admin/v1/tenants': 'superadmin global',
  'GET /admin/v1/tenants': 'viewer global',
  'GET /admin/v1/tenants/:id': 'viewer path',
  'PUT /admin/v1/tenants/:id': 'superadmin path',
  'POST /admin/v1/tenants/:id/webhook-secret': 'superadmin path',
  'POST /admin/v1/tenants/:id/keys': 'superadmin path',
  'GET /admin/v1/tenants/:id/keys': 'viewer path',
  'DELETE /admin/v1/tenants/:id/keys/:keyId': 'superadmin path',
  'GET /admin/v1/tenants/:id/deliveries': 'viewer path',
  'GET /admin/v1/tenants/:id/policy': 'viewer path',
  'PUT /admin/v1/tenants/:id/policy': 'policy-admin path',
  'GET /admin/v1/tenants/:id/policy/versions': 'viewer path',
  'GET /admin/v1/tenants/:id/policy/versions/:version': 'viewer path',
  'POST /admin/v1/tenants/:id/policy/dry-run': 'viewer path',
  'POST /admin/v1/tenants/:id/customers/:customerId/unlock': 'operator path',
  'PUT /admin/v1/tenants/:id/carrier-gateway': 'policy-admin path',
  'GET /admin/v1/tenants/:id/carrier-gateway': 'viewer path',
  'DELETE /admin/v1/tenants/:id/carrier-gateway': 'policy-admin path',
  'GET /admin/v1/audit': 'viewer filtered',
  'GET /admin/v1/audit/verify': 'viewer global',
  'POST /admin/v1/receipt-keys/rotate': 'superadmin global',
  'POST /admin/v1/tokens': 'superadmin global',
  'GET /admin/v1/tokens': 'superadmin global',
  'DELETE /admin/v1/tokens/:tokenId': 'superadmin global',
};

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
        for (const caller of callers) {
          const request = await routeCases[key]!(world, world.a);
          const principal: Principal =
            caller === 'anonymous' ? { kind: 'anonymous' } : caller === 'bank' ? { kind: 'bank', tenant: world.a } : { kind: 'admin', token: world.tokens[caller] };
          const response = await send(world, principal, route, request);
          // /metrics is public by route but answers only to its own METRICS_TOKEN, which no caller here holds.
          const expected = key === 'GET /metrics' ? 401 : expectedOutcome(access, caller);
          const through = response.status < 500 && ![401, 403, 404, 405].includes(response.status);
          const ok = expected === 'through' ? through : response.status === expected;
          if (!ok) failures.push(`${key} as ${caller}: expected ${expected}, got ${response.status} ${response.text.slice(0, 200)}`);
          if (response.status >= 400) assert.match(response.contentType, /application\/problem\+json/, `${key} as ${caller}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}
