// OWASP API1:2023 Broken Object Level Authorization. Two tenants; for every declared route with an
// id in its path (taken from the declared route table, so a new route needs a case here or the
// suite fails), tenant B's credentials — its bank key on bank routes, a superadmin scoped to B on
// admin routes — are sent against tenant A's ids: 404 (403 where the route is global-only), and
// not a row of tenant A changes. Customer page routes (/c/…/:token) are the exception, handled apart:
// see pageTokenRoutes.
import { randomBytes } from 'node:crypto';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import type { RouteDefinition } from '../../src/http/route.ts';
import { routeKey, send, startSecurityWorld, tenantSnapshot, type Principal, type SecurityWorld } from './support/security-world.ts';
import { routeCases } from './support/route-cases.ts';

/**
 * Bank routes whose id is the bank's own customer id: customer ids are names in each tenant's own
 * namespace, so B naming "A's" customer id acts on B's own customer of that name (creates it, or
 * lists B's tokens for it). What matters: A's customer is neither revealed nor changed.
 */
const ownNamespace = new Set([
  'PUT /v1/customers/:customerId/phone',
  'PUT /v1/customers/:customerId/notification-phone',
  'PUT /v1/customers/:customerId/knowledge-secret',
  'POST /v1/customers/:customerId/otp-tokens',
  'GET /v1/customers/:customerId/otp-tokens',
  'POST /v1/customers/:customerId/webauthn/registration-links',
  'GET /v1/customers/:customerId/webauthn/credentials',
]);

/**
 * Customer page routes: public, and the only id in their path is the page token, which is itself
 * the credential (256 random bits, issued to one tenant's customer for one link or challenge). There
 * is no caller identity to swap for "another tenant": tenant B holds no token of tenant A's, and its
 * bank key or admin token means nothing on these routes (api5 checks every caller). What "B against
 * A's ids" comes down to here is B presenting a token it was not issued — a guess: a well-formed
 * unknown token must answer 404 and change nothing of A. The test below checks exactly that, and
 * that this set is exactly the public routes with an id, so a new one is a conscious decision.
 */
const pageTokenRoutes = new Set([
  'GET /c/webauthn/register/:token',
  'POST /c/webauthn/register/:token/options',
  'POST /c/webauthn/register/:token/verify',
  'GET /c/webauthn/confirm/:token',
  'POST /c/webauthn/confirm/:token/options',
  'POST /c/webauthn/confirm/:token/verify',
  'POST /c/webauthn/confirm/:token/reject',
  // The stop page of a held transfer (docs/holds.md): the challenge id beside the token opens nothing
  // without the token, an HMAC bound to the tenant and the challenge.
  'GET /c/hold/:id/:token',
  'POST /c/hold/:id/:token/stop',
]);

const hasId = (route: RouteDefinition) => route.path.includes('/:');
const hasObjectId = (route: RouteDefinition) => hasId(route) && !pageTokenRoutes.has(routeKey(route));

for (const db of dbKinds) {
  describe(`API1 object-level authorization: tenant B against tenant A's ids (${db})`, () => {
    let world: SecurityWorld;
    before(async () => {
      world = await startSecurityWorld(db);
    });
    after(() => world.close());

    const attacker = (route: RouteDefinition): Principal =>
      route.auth.kind === 'bank' ? { kind: 'bank', tenant: world.b } : { kind: 'admin', token: world.scopedB };

    test('every declared route with an id has a request case and needs credentials (page token routes apart)', () => {
      const routes = world.server.running.routes.filter(hasId);
      assert.ok(routes.length >= 25, `only ${routes.length} routes with ids`);
      for (const route of routes) {
        assert.ok(routeCases[routeKey(route)], `${routeKey(route)} has no request case`);
        if (pageTokenRoutes.has(routeKey(route))) continue;
        assert.notEqual(route.auth.kind, 'public', `${routeKey(route)} exposes an id without authentication`);
      }
      const publicWithId = routes.filter((route) => route.auth.kind === 'public').map(routeKey).sort();
      assert.deepEqual(publicWithId, [...pageTokenRoutes].sort(), 'the public routes with an id are exactly the page token routes');
    });

    test("B's credentials on A's ids answer 404 (403 on global-only routes) and change nothing of A", async () => {
      const routes = world.server.running.routes.filter(hasObjectId);
      // The routes that answer 404 first: the namespace ones create B's own customer of A's name.
      const ordered = [...routes.filter((r) => !ownNamespace.has(routeKey(r))), ...routes.filter((r) => ownNamespace.has(routeKey(r)))];
      const failures: string[] = [];
      for (const route of ordered) {
        const key = routeKey(route);
        const request = await routeCases[key]!(world, world.a);
        const before = await tenantSnapshot(world, world.a.tenantId);
        const response = await send(world, attacker(route), route, request);
        const after = await tenantSnapshot(world, world.a.tenantId);
        if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${key}: tenant A's rows changed`);
        if (ownNamespace.has(key)) {
          if (response.status >= 500) failures.push(`${key}: ${response.status}`);
          if (response.text.includes(world.a.otpTokenId)) failures.push(`${key}: A's token id revealed`);
          if (response.text.includes(world.a.credentialId)) failures.push(`${key}: A's passkey id revealed`);
          continue;
        }
        const expected = route.auth.kind === 'admin' && route.auth.tenantScope === 'global' ? 403 : 404;
        if (response.status !== expected) failures.push(`${key}: expected ${expected}, got ${response.status} ${response.text.slice(0, 200)}`);
        else if (response.body.code !== (expected === 404 ? 'not_found' : 'forbidden')) failures.push(`${key}: code ${response.body.code}`);
      }
      assert.deepEqual(failures, []);
    });

    test("page token routes: a token that was not issued (what B holding none of A's amounts to) is 404 and changes nothing of A", async () => {
      const failures: string[] = [];
      for (const route of world.server.running.routes.filter((r) => pageTokenRoutes.has(routeKey(r)))) {
        const key = routeKey(route);
        // A's valid request, with the token swapped for one nobody was issued.
        const valid = await routeCases[key]!(world, world.a);
        const request = { ...valid, params: { ...valid.params, token: randomBytes(32).toString('base64url') } };
        const before = await tenantSnapshot(world, world.a.tenantId);
        for (const principal of [{ kind: 'anonymous' }, { kind: 'bank', tenant: world.b }, { kind: 'admin', token: world.scopedB }] as Principal[]) {
          const response = await send(world, principal, route, request);
          if (response.status !== 404 || response.body.code !== 'not_found') failures.push(`${key} as ${principal.kind}: ${response.status} ${response.text.slice(0, 160)}`);
        }
        if (JSON.stringify(await tenantSnapshot(world, world.a.tenantId)) !== JSON.stringify(before)) failures.push(`${key}: tenant A's rows changed`);
      }
      assert.deepEqual(failures, []);
      // B's own confirmation token opens B's challenge only: A's pending passkey challenge is untouched.
      const page = await fetch(`${world.server.url}/c/webauthn/confirm/${world.b.confirmToken}`);
      assert.equal(page.status, 200);
      assert.equal((await world.a.client.getChallenge<any>(world.a.passkeyChallengeId)).body.status, 'pending');
    });

    test("A's resources are all still there for A after the attack", async () => {
      const challenge = await world.a.client.getChallenge<any>(world.a.challengeId);
      assert.equal(challenge.status, 200);
      assert.equal(challenge.body.status, 'pending');
      const tokens = await world.a.client.listOtpTokens<any>(world.a.customerId);
      assert.ok(tokens.body.tokens.some((t: { id: string }) => t.id === world.a.otpTokenId));
      const customer = await world.a.client.request<any>('GET', `/v1/customers/${world.a.customerId}`);
      assert.equal(customer.status, 200);
      const passkeys = await world.a.client.request<{ id: string }[]>('GET', `/v1/customers/${world.a.customerId}/webauthn/credentials`);
      assert.ok(passkeys.body.some((p) => p.id === world.a.credentialId));
      assert.equal((await world.a.client.getChallenge<any>(world.a.passkeyChallengeId)).body.status, 'pending');
    });

    test("a scoped token reading the audit trail of another tenant finds nothing of it", async () => {
      const audit = world.server.running.routes.find((r) => routeKey(r) === 'GET /admin/v1/audit')!;
      const response = await send(world, { kind: 'admin', token: world.scopedB }, audit, { params: {}, query: { tenantId: world.a.tenantId } });
      assert.equal(response.status, 200);
      assert.deepEqual(response.body.entries, []);
      const unfiltered = await send(world, { kind: 'admin', token: world.scopedB }, audit, { params: {}, query: { limit: '500' } });
      assert.ok(unfiltered.body.entries.length > 0);
      assert.ok(unfiltered.body.entries.every((e: { tenantId: string }) => e.tenantId === world.b.tenantId));
    });
  });
}
