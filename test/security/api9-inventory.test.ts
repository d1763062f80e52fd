// OWASP API9:2023 Improper Inventory Management. The published inventory (/openapi.json) and what
// the server answers are the same set: every declared route is documented, every documented
// operation is declared, and anything else — other methods, other versions, files and debug
// endpoints people leave behind — is a 404 or 405 problem+json, nothing else. The one exception is
// a short, listed set of mounts that answer beside the route table (the console, asset folders,
// Twilio's webhooks): each is named below with the reason it is not in /openapi.json and what it
// answers, and a mount not on the list fails the suite.
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
  '/admin/v1',
  '/admin/v1/',
  '/admin/assets',
  '/admin/assets/',
  '/admin/assets/js/',
  '/admin/sessions',
  '/admin/queue',
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
  // The stock Swagger UI files beside the two /docs uses: its demo page (pointing at the petstore) and friends.
  '/docs/assets/index.html',
  '/docs/assets/swagger-initializer.js',
  '/docs/assets/oauth2-redirect.html',
  '/docs/assets/index.js',
  '/docs/assets/package.json',
  '/docs/assets/swagger-ui-bundle.js.map',
];

/**
 * Everything the server mounts beside the declared routes (RunningServer.mounts), why it is not in
 * /openapi.json, and requests that show what it answers without credentials.
 */
const mountsOutsideRouteTable: Record<string, { reason: string; /** Documented operations under the mount's path (the admin API beside the console). */ documentedUnder?: string; probes: { method: string; path: string; headers?: Record<string, string>; status: number; contentType: RegExp }[] }> = {
  '/docs/assets': {
    reason: 'Static files of the Swagger UI page at /docs (a declared route); files, not operations',
    probes: [{ method: 'GET', path: '/docs/assets/swagger-ui.css', status: 200, contentType: /^text\/css/ }],
  },
  '/admin': {
    reason:
      'The console (docs/console.md): its page and static assets, the session endpoints (a cookie session made from an admin token; ' +
      'the admin API itself stays in the route table) and the bull-board queue dashboard behind that session. ' +
      'Browser plumbing, not API operations; the refusals are checked in api5-function-level.test.ts and test/console/console-sessions.test.ts',
    documentedUnder: '/admin/v1/',
    probes: [
      { method: 'GET', path: '/admin', status: 200, contentType: /^text\/html/ },
      { method: 'GET', path: '/admin/assets/console.css', status: 200, contentType: /^text\/css/ },
      { method: 'GET', path: '/admin/session', status: 401, contentType: /^application\/problem\+json/ },
      { method: 'DELETE', path: '/admin/session', status: 401, contentType: /^application\/problem\+json/ },
      { method: 'GET', path: '/admin/queues/api/queues', status: 401, contentType: /^application\/problem\+json/ },
      { method: 'GET', path: '/admin/queues', headers: { accept: 'text/html' }, status: 303, contentType: /.*/ },
      { method: 'GET', path: '/admin/queues-readonly/api/queues', status: 401, contentType: /^application\/problem\+json/ },
      { method: 'GET', path: '/admin/assets/nothing-here.js', status: 404, contentType: /^application\/problem\+json/ },
      { method: 'POST', path: '/admin/assets/console.css', status: 404, contentType: /^application\/problem\+json/ },
      { method: 'OPTIONS', path: '/admin/assets/console.css', status: 404, contentType: /^application\/problem\+json/ },
      // A method the console's routes lack on their path: 405 with Allow, as on a declared route (docs/architecture.md).
      { method: 'PUT', path: '/admin/session', status: 405, contentType: /^application\/problem\+json/ },
      { method: 'OPTIONS', path: '/admin/session', status: 204, contentType: /^$/ },
    ],
  },
  '/c/webauthn/assets': {
    reason: "Static script and style of the customer passkey pages (the pages themselves are declared routes under /c/webauthn/); files, not operations",
    probes: [
      { method: 'GET', path: '/c/webauthn/assets/page.css', status: 200, contentType: /^text\/css/ },
      { method: 'GET', path: '/c/webauthn/assets/confirm.js', status: 200, contentType: /javascript/ },
    ],
  },
  '/twilio/ars': {
    reason: "Twilio's voice webhooks for ARS calls (only with TWILIO_* configured): signed by Twilio, not part of the bank or admin API",
    probes: [],
  },
};

interface Probed {
  status: number;
  contentType: string;
  poweredBy: string | undefined;
  /** The Allow header, and the names of any CORS (Access-Control-*) headers. */
  allow: string | undefined;
  cors: string[];
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
        resolve({
          status: response.statusCode ?? 0,
          contentType: String(response.headers['content-type'] ?? ''),
          poweredBy: response.headers['x-powered-by'] as string | undefined,
          allow: response.headers.allow,
          cors: Object.keys(response.headers).filter((name) => name.startsWith('access-control-')),
          text,
        }),
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

    test('what answers beside the route table is exactly the listed mounts, each outside /openapi.json and answering as listed', async () => {
      const expected = Object.keys(mountsOutsideRouteTable).filter((path) => path !== '/twilio/ars' || server.config.twilio);
      assert.deepEqual([...server.running.mounts].sort(), expected.sort(), 'a mount is not on the list in api9-inventory.test.ts: add it with its reason');
      for (const mount of expected) {
        const { reason, probes, documentedUnder } = mountsOutsideRouteTable[mount]!;
        assert.ok(reason.length > 20, `${mount}: give a reason`);
        const documented = Object.keys(document.paths).filter((path) => (path === mount || path.startsWith(`${mount}/`)) && !(documentedUnder && path.startsWith(documentedUnder)));
        assert.deepEqual(documented, [], `${mount} is also in /openapi.json`);
        for (const { method, path, headers, status, contentType } of probes) {
          const response = await probe(server.url, method, path, headers);
          assert.equal(response.status, status, `${method} ${path}: ${response.text.slice(0, 200)}`);
          assert.match(response.contentType, contentType, `${method} ${path}: content-type`);
          assert.equal(response.poweredBy, undefined);
        }
      }
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

    test('TRACE, PATCH (and methods not declared for a path) answer 405 problem+json with Allow; OPTIONS 204 with Allow and no CORS', async () => {
      const byPath = new Map<string, Set<string>>();
      for (const route of server.running.routes) {
        const concrete = route.path.replace(/:([A-Za-z0-9_]+)/g, 'x1234567890');
        (byPath.get(concrete) ?? byPath.set(concrete, new Set()).get(concrete)!).add(route.method.toUpperCase());
      }
      for (const [path, methods] of byPath) {
        // Every method declared for the path is allowed, HEAD wherever GET is (docs/bank-api.md, status codes).
        const assertAllows = (response: Probed, what: string) => {
          const allowed = (response.allow ?? '').split(', ');
          for (const method of methods) assert.ok(allowed.includes(method), `${what}: Allow ${response.allow} lacks ${method}`);
          if (methods.has('GET')) assert.ok(allowed.includes('HEAD'), `${what}: Allow ${response.allow} lacks HEAD`);
          assert.deepEqual(response.cors, [], `${what}: no CORS is granted`);
        };
        for (const method of ['TRACE', 'PATCH', 'PUT', 'DELETE', 'POST']) {
          if (methods.has(method)) continue;
          const response = await probe(server.url, method, path, { authorization: `Bearer ${server.adminToken}` });
          assertProblem(response, `${method} ${path}`);
          assert.equal(response.status, 405, `${method} ${path}`);
          assertAllows(response, `${method} ${path}`);
        }
        const options = await probe(server.url, 'OPTIONS', path, { authorization: `Bearer ${server.adminToken}` });
        assert.deepEqual([options.status, options.text], [204, ''], `OPTIONS ${path}`);
        assertAllows(options, `OPTIONS ${path}`);
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
