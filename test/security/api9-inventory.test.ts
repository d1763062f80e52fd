// OWASP API9:2023 Improper Inventory Management. The published inventory (/openapi.json) and what
// the server answers are the same set: every declared route is documented, every documented
// operation is declared, and anything else — other methods, other versions, files and debug
// endpoints people leave behind — is a 404 or 405 problem+json, nothing else.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { dbKinds } from '../support/databases.ts';
import { openApiPath } from '../../src/http/openapi.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const undeclaredPaths = [
  '/v2/challenges',
  '/v2',
  '/v0/challenges',
  '/admin/v2/tenants',
  '/admin/v2',
  '/admin',
  '/admin/v1',
  '/.env',
  '/.git/config',
  '/debug',
  '/debug/vars',
  '/debug/pprof',
  '/actuator/health',
  '/server-status',
  '/api/v1/challenges',
  '/v1/internal/tenants',
  '/swagger.json',
  '/openapi.yaml',
  '/graphql',
  '/console',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/docs/assets/../../package.json',
];

interface Probed {
  status: number;
  contentType: string;
  poweredBy: string | undefined;
  text: string;
}

/** node:http rather than fetch: fetch refuses TRACE, and the path is sent exactly as written. */
function probe(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Probed> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const sent = httpRequest({ hostname, port, method, path, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), poweredBy: response.headers['x-powered-by'] as string | undefined, text }),
      );
    });
    sent.on('error', reject);
    sent.end();
  });
}

for (const db of dbKinds) {
  describe(`API9 inventory: declared routes = documented routes, nothing else answers (${db})`, () => {
    let server: TestServer;
    let document: { paths: Record<string, Record<string, unknown>> };
    before(async () => {
      server = await startTestServer({ db });
      document = (await (await fetch(`${server.url}/openapi.json`)).json()) as typeof document;
    });
    after(() => server.close());

    const assertProblem = (response: Probed, what: string) => {
      assert.ok([404, 405].includes(response.status), `${what}: ${response.status} ${response.text.slice(0, 200)}`);
      assert.match(response.contentType, /^application\/problem\+json/, `${what}: content-type`);
      const body = JSON.parse(response.text) as { status: number; code: string };
      assert.equal(body.status, response.status, what);
      assert.ok(['not_found', 'method_not_allowed'].includes(body.code), `${what}: ${body.code}`);
      assert.equal(response.poweredBy, undefined);
    };

    test('every declared route is in /openapi.json and every documented operation is declared', () => {
      const declared = new Set(server.running.routes.map((route) => `${route.method} ${openApiPath(route.path)}`));
      const documented = new Set(
        Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`)),
      );
      assert.deepEqual([...declared].filter((op) => !documented.has(op)), [], 'declared but not documented');
      assert.deepEqual([...documented].filter((op) => !declared.has(op)), [], 'documented but not declared');
      assert.equal(declared.size, server.running.routes.length, 'a route is declared twice');
    });

    test('every documented operation names its security and, for admin routes, its role', () => {
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations) as [string, { security: unknown[]; 'x-required-role'?: string }][]) {
          assert.ok(Array.isArray(operation.security), `${method} ${path}: security`);
          if (path.startsWith('/admin/')) {
            assert.ok(operation['x-required-role'], `${method} ${path}: x-required-role`);
            assert.ok(['path', 'global', 'filtered'].includes(String((operation as Record<string, unknown>)['x-tenant-scope'])), `${method} ${path}: x-tenant-scope`);
          }
          if (path.startsWith('/v1/')) assert.equal(operation.security.length, 1, `${method} ${path}: bank routes are signed`);
        }
      }
    });

    test('TRACE, OPTIONS, PATCH (and methods not declared for a path) answer 404/405 problem+json', async () => {
      const byPath = new Map<string, Set<string>>();
      for (const route of server.running.routes) {
        const concrete = route.path.replace(/:([A-Za-z0-9_]+)/g, 'x1234567890');
        (byPath.get(concrete) ?? byPath.set(concrete, new Set()).get(concrete)!).add(route.method.toUpperCase());
      }
      for (const [path, methods] of byPath) {
        for (const method of ['TRACE', 'OPTIONS', 'PATCH', 'PUT', 'DELETE', 'POST']) {
          if (methods.has(method)) continue;
          assertProblem(await probe(server.url, method, path, { authorization: `Bearer ${server.adminToken}` }), `${method} ${path}`);
        }
      }
    });

    test('undeclared versions, files and debug endpoints answer 404/405 problem+json, with or without credentials', async () => {
      for (const path of undeclaredPaths) {
        for (const method of ['GET', 'POST', 'TRACE', 'OPTIONS']) {
          assertProblem(await probe(server.url, method, path), `${method} ${path}`);
          assertProblem(await probe(server.url, method, path, { authorization: `Bearer ${server.adminToken}` }), `${method} ${path} (admin token)`);
        }
      }
    });
  });
}
