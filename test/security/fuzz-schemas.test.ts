// test: slow, about 83 s
// Property-based fuzzing of every declared route's request schemas, through the real server.
// Valid bodies and queries are derived from each route's own schema (z.toJSONSchema -> fast-check),
// kept when the schema accepts them, then mutated: fields dropped or added, wrong types, hostile
// strings (lone surrogates, NUL, bidi overrides, huge text), huge numbers, deep nesting. They are
// sent signed (bank routes) or with a superadmin token (admin routes). Invariants: never a 5xx,
// and a rejected request stores nothing (every table's row count unchanged).
// Bounded: a fixed seed (FUZZ_SEED to replay another) and moderate numRuns.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { z } from 'zod';
import { dbKinds } from '../support/databases.ts';
import type { RouteDefinition } from '../../src/http/route.ts';
import { routeKey, send, startSecurityWorld, type Principal, type RouteRequest, type SecurityWorld } from './support/security-world.ts';
import { routeCases } from './support/route-cases.ts';
import { applyMutations, arbitraryFromJsonSchema, hostileStrings, mutationArbitrary } from './support/json-schema-arbitrary.ts';

const seed = Number(process.env.FUZZ_SEED ?? 20_261_129);
const bodyRuns = 20;
const queryRuns = 12;

const inputSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, any>;

/**
 * Path segments that have broken routers: malformed escapes, encoded NUL and surrogates, overlong
 * UTF-8. (Not %2e%2e: fetch's URL parser already resolves it as "..", so the server never sees it.)
 */
const hostileSegments = ['%ED%A0%80', '%00', '%', '%zz', '%E0%A4%A', '%C0%AF', '%2F', 'a'.repeat(400), '%F0%9F%98%80', "'%20OR%201=1", '%EF%BF%BF', '-1', '1e400', 'ten_%00AAAAAAAAA'];

/**
 * Every table's row count in one statement. Left out: what workers write in the background, never a
 * request — the audit chain (the sequencer moves the inbox into the log) and webhook attempts — and the
 * security events about the key the fuzzing uses: a flood of refused requests is what the key's
 * failure-ratio and enumeration signals are for (docs/security.md "Key protections"), and their event
 * is the key's, not the refused request's.
 */
async function countRows(world: SecurityWorld): Promise<() => Promise<string>> {
  const db = world.server.running.context.db;
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
       AND table_name NOT IN ('audit_log', 'audit_inbox', 'webhook_attempts', 'schema_migrations') ORDER BY table_name`,
  );
  const countOf = (table: string) => (table === 'webhook_deliveries' ? `(SELECT count(*) FROM ${table} WHERE event_type <> 'security.key_anomaly')` : `(SELECT count(*) FROM ${table})`);
  const sql = `SELECT json_build_object(${tables.rows.map(({ table_name: t }) => `'${t}', ${countOf(t)}`).join(', ')})::text AS counts`;
  return async () => (await db.query<{ counts: string }>(sql)).rows[0]!.counts;
}

for (const db of dbKinds) {
  describe(`fuzzing every route's schemas: no 5xx, nothing stored when rejected (${db}, seed ${seed})`, () => {
    let world: SecurityWorld;
    let counts: () => Promise<string>;
    before(async () => {
      world = await startSecurityWorld(db);
      counts = await countRows(world);
    });
    after(() => world.close());

    const caller = (route: RouteDefinition): Principal =>
      route.auth.kind === 'bank' ? { kind: 'bank', tenant: world.a } : route.auth.kind === 'admin' ? { kind: 'admin', token: world.tokens.superadmin } : { kind: 'anonymous' };

    const describeInput = (what: unknown) => {
      try {
        return JSON.stringify(what)?.slice(0, 300);
      } catch {
        return String(what).slice(0, 300);
      }
    };
    /**
     * The row counts taken after the last refused attempt, when nothing has written since: they are the
     * next attempt's "before" (a count of every table is most of an attempt's cost on PGlite). Forgotten
     * after an accepted attempt and whenever a test writes otherwise (a route's example case, an admin call).
     */
    let countsNow: string | undefined;
    /** Sends and checks the invariants. */
    const attempt = async (route: RouteDefinition, request: RouteRequest, what: unknown) => {
      const before = countsNow ?? (await counts());
      countsNow = undefined;
      const response = await send(world, caller(route), route, request);
      if (response.status >= 500) assert.fail(`${routeKey(route)} answered ${response.status} to ${describeInput(what)}: ${response.text.slice(0, 300)}`);
      // A wrong OTP code is a well-formed answer that is refused: it is recorded on purpose, as it
      // counts toward the token's lockout (docs/otp-channel.md). Every other refusal stores nothing.
      if (response.status >= 400 && response.body.code !== 'invalid_code') {
        assert.match(response.contentType, /application\/problem\+json/, routeKey(route));
        const after = await counts();
        if (after !== before) assert.fail(`${routeKey(route)} stored something for a rejected request (${response.status}): ${describeInput(what)}\n${before}\n${after}`);
        countsNow = after;
      }
    };

    test('bodies derived from each schema, then mutated', async () => {
      const routes = world.server.running.routes.filter((route) => route.body);
      const derivedCounts: Record<string, number> = {};
      for (const route of routes) {
        const key = routeKey(route);
        countsNow = undefined;
        const example = await routeCases[key]!(world, world.a);
        const derived = fc
          .sample(arbitraryFromJsonSchema(inputSchema(route.body!)), { numRuns: 200, seed })
          .filter((value) => route.body!.safeParse(value).success)
          .slice(0, 12);
        derivedCounts[key] = derived.length;
        // The route's example is valid too (schemas with cross-field rules rarely sample valid at random).
        const valid = route.body!.safeParse(example.body).success ? [example.body, ...derived] : derived;
        assert.ok(valid.length > 0, `${key}: no valid body derived and its example is invalid`);
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...valid), fc.array(mutationArbitrary, { minLength: 0, maxLength: 3 }), async (body, mutations) => {
            const mutated = applyMutations(body, mutations);
            await attempt(route, { ...example, body: mutated }, mutated);
          }),
          { numRuns: bodyRuns, seed, endOnFailure: true },
        );
      }
      // The derivation works for most schemas on its own, not only through the examples.
      const derivedFor = Object.values(derivedCounts).filter((n) => n > 0).length;
      assert.ok(derivedFor >= routes.length / 2, `valid bodies derived for only ${derivedFor} of ${routes.length} routes: ${JSON.stringify(derivedCounts)}`);
    });

    test('query strings derived from each schema, with hostile and unknown parameters', async () => {
      const routes = world.server.running.routes.filter((route) => route.query);
      assert.ok(routes.length >= 2);
      for (const route of routes) {
        countsNow = undefined;
        const example = await routeCases[routeKey(route)]!(world, world.a);
        const declared = Object.keys(inputSchema(route.query!).properties ?? {});
        const value = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...hostileStrings.filter((s) => s.length < 100)), fc.integer().map(String), fc.constant('1e400'));
        const query = fc.dictionary(fc.oneof(fc.constantFrom(...declared), fc.constantFrom('unknown', '__proto__', 'limit[]')), value, { maxKeys: 4 });
        await fc.assert(
          fc.asyncProperty(query, async (q) => {
            await attempt(route, { ...example, query: q }, q);
          }),
          { numRuns: queryRuns, seed, endOnFailure: true },
        );
      }
    });

    test('hostile path segments in every path parameter', async () => {
      // The body fuzz may have changed tenant A's settings (a valid PUT is a valid PUT): put back what the cases need.
      assert.equal((await world.server.admin('PUT', `/admin/v1/tenants/${world.a.tenantId}`, { allowLoopbackCallbacks: true })).status, 200);
      const routes = world.server.running.routes.filter((route) => route.path.includes('/:'));
      for (const route of routes) {
        countsNow = undefined;
        const example = await routeCases[routeKey(route)]!(world, world.a);
        const names = Object.keys(example.params);
        for (const name of names) {
          for (const segment of hostileSegments) {
            const params = Object.fromEntries(names.map((n) => [n, n === name ? segment : encodeURIComponent(example.params[n]!)]));
            await attempt(route, { ...example, params, rawParams: true }, { [name]: segment });
          }
        }
      }
    });
  });
}
