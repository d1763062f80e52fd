// OWASP API8:2023 Security Misconfiguration, against a real server over HTTP: security headers,
// no caching of API answers (secrets included), /metrics behind a token, and errors that are
// problem+json without internals.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { signIn } from '../console/console-client.ts';

type Tenant = Awaited<ReturnType<TestServer['createTenant']>>;

const assertNoStore = (headers: Headers, what: string) => {
  assert.equal(headers.get('cache-control'), 'no-store', `${what}: Cache-Control is ${headers.get('cache-control')}`);
};

const assertProblem = async (response: Response, status: number, code: string, what: string) => {
  assert.equal(response.status, status, what);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, `${what}: content type`);
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(body.code, code, what);
  assert.equal(body.status, status, what);
  assert.equal(typeof body.type, 'string', what);
  assert.equal(typeof body.title, 'string', what);
  return body;
};

/** An Express path with every `:param` filled with a plausible but unknown value. */
const concretePath = (path: string) => path.replace(/:(\w+)/g, (_match, name: string) => (name === 'version' ? '999' : `x${name}0000000000000`));

describe('API8 security misconfiguration', () => {
  let server: TestServer;
  let tenant: Tenant;

  before(async () => {
    // The route walk below fails authentication on purpose once per route: keep the throttle out of it.
    server = await startTestServer({ env: { AUTH_FAILURE_LIMIT_PER_MINUTE: '1000' } });
    tenant = await server.createTenant();
  });
  after(() => server.close());

  test('security headers on pages, API answers and problems: CSP with frame-ancestors, nosniff, no X-Powered-By', async () => {
    const responses = {
      docs: await fetch(`${server.url}/docs`),
      healthz: await fetch(`${server.url}/healthz`),
      bankApi: (await tenant.client.createChallenge(transferBody({}, '1000'))).headers,
      problem: await fetch(`${server.url}/v1/challenges`),
      unknownRoute: await fetch(`${server.url}/nothing-here`),
    };
    for (const [what, response] of Object.entries(responses)) {
      const headers = response instanceof Headers ? response : response.headers;
      const csp = headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, `${what}: CSP ${csp}`);
      assert.match(csp, /frame-ancestors 'self'/, `${what}: CSP ${csp}`);
      assert.match(csp, /object-src 'none'/, `${what}: CSP ${csp}`);
      assert.equal(headers.get('x-content-type-options'), 'nosniff', what);
      assert.equal(headers.get('x-frame-options'), 'SAMEORIGIN', what);
      assert.equal(headers.get('x-powered-by'), null, what);
      assert.ok(headers.get('strict-transport-security'), `${what}: HSTS`);
    }
  });

  test('every declared /v1 and /admin route answers Cache-Control: no-store, unauthenticated (401 problem) and authenticated', async () => {
    const routes = server.running.routes.filter((route) => route.path.startsWith('/v1/') || route.path.startsWith('/admin/'));
    assert.ok(routes.length >= 25, `only ${routes.length} routes found`);
    for (const route of routes) {
      const method = route.method.toUpperCase();
      const path = concretePath(route.path);
      const what = `${method} ${route.path}`;
      const withBody = method === 'POST' || method === 'PUT';

      const anonymous = await fetch(server.url + path, { method, ...(withBody ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
      assertNoStore(anonymous.headers, `${what} without credentials`);
      await assertProblem(anonymous, 401, 'unauthorized', `${what} without credentials`);

      const authenticated = route.auth.kind === 'bank'
        ? (await tenant.client.request(method, path, withBody ? {} : undefined)).headers
        : (await server.admin(method, path, withBody ? {} : undefined)).headers;
      assertNoStore(authenticated, `${what} authenticated`);
    }
  });

  test('answers that carry secrets are no-store: webhook secret, API key secret, admin token, otpauth URI and QR code', async () => {
    const created = await server.admin('POST', '/admin/v1/tenants', { name: 'Cache Bank', allowLoopbackCallbacks: true });
    assert.equal(created.status, 201);
    assert.ok(created.body.webhookSecret);
    assertNoStore(created.headers, 'tenant with webhook secret');

    const key = await server.admin('POST', `/admin/v1/tenants/${created.body.id}/keys`, {});
    assert.equal(key.status, 201);
    assert.ok(key.body.secret);
    assertNoStore(key.headers, 'API key secret');

    const rotated = await server.admin('POST', `/admin/v1/tenants/${created.body.id}/webhook-secret`);
    assert.equal(rotated.status, 201);
    assertNoStore(rotated.headers, 'rotated webhook secret');

    const token = await server.admin('POST', '/admin/v1/tokens', { name: 'cache-test', role: 'viewer' });
    assert.equal(token.status, 201);
    assert.ok(token.body.token);
    assertNoStore(token.headers, 'admin token');

    const otp = await tenant.client.request<any>('POST', '/v1/customers/cust-cache-1/otp-tokens', { type: 'totp' });
    assert.equal(otp.status, 201, JSON.stringify(otp.body));
    assert.match(otp.body.otpauthUri, /^otpauth:\/\/totp\//);
    assert.ok(otp.body.qrCodeDataUrl);
    assertNoStore(otp.headers, 'otpauth URI');
  });

  test('public operational routes keep their own caching (JWKS is cacheable)', async () => {
    const jwks = await fetch(`${server.url}/.well-known/jwks.json`);
    assert.equal(jwks.status, 200);
    assert.equal(jwks.headers.get('cache-control'), 'public, max-age=300');
  });

  test('the queue dashboard loads nothing from another host (its stock page asks for external fonts)', async () => {
    const session = await signIn(server, server.adminToken);
    for (const path of ['/admin/queues', '/admin/queues-readonly']) {
      const page = await session.call('GET', path);
      assert.equal(page.status, 200, path);
      const html = String(page.body);
      assert.match(html, /<div id="root">/, `${path}: the dashboard page`);
      assert.deepEqual(html.match(/(?:href|src)="(?:https?:)?\/\/[^"]*"/g) ?? [], [], `${path} loads external assets`);
      assert.doesNotMatch(html, /fonts\.googleapis|fonts\.gstatic/, path);
    }
  });

  test('/metrics needs the METRICS_TOKEN bearer token', async () => {
    await assertProblem(await fetch(`${server.url}/metrics`), 401, 'unauthorized', 'no token');
    await assertProblem(await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } }), 401, 'unauthorized', 'the admin token');
    await assertProblem(await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.metricsToken}x` } }), 401, 'unauthorized', 'a longer token');
    await assertProblem(await fetch(`${server.url}/metrics`, { headers: { authorization: server.metricsToken } }), 401, 'unauthorized', 'no Bearer scheme');
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.metricsToken}` } });
    assert.equal(scraped.status, 200);
    assert.match(scraped.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await scraped.text(), /stepup_challenges_created_total/);
  });

  test('/metrics is not served at all without METRICS_TOKEN', async () => {
    const bare = await startTestServer({ env: { METRICS_TOKEN: '' } });
    try {
      await assertProblem(await fetch(`${bare.url}/metrics`), 404, 'not_found', 'no METRICS_TOKEN');
      await assertProblem(await fetch(`${bare.url}/metrics`, { headers: { authorization: `Bearer ${bare.metricsToken}` } }), 404, 'not_found', 'any token');
    } finally {
      await bare.close();
    }
  });

  test('error answers are problem+json: unknown route, bad credentials, wrong media type, malformed JSON, unknown field, too large, a content coding, bad URL encoding', async () => {
    await assertProblem(await fetch(`${server.url}/v2/nothing`), 404, 'not_found', 'unknown route');
    await assertProblem(await fetch(`${server.url}/admin/v1/tenants`, { headers: { authorization: 'Bearer wrong-token-0000000000' } }), 401, 'unauthorized', 'bad admin token');
    const admin = { authorization: `Bearer ${server.adminToken}` };
    await assertProblem(
      await fetch(`${server.url}/admin/v1/tenants`, { method: 'POST', headers: { ...admin, 'content-type': 'text/plain' }, body: 'name=x' }),
      415,
      'unsupported_media_type',
      'wrong media type',
    );
    const malformed = await assertProblem(
      await fetch(`${server.url}/admin/v1/tenants`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{"name": ' }),
      400,
      'malformed_json',
      'malformed JSON',
    );
    assert.doesNotMatch(JSON.stringify(malformed), /SyntaxError|Unexpected end|position/);
    await assertProblem(
      await fetch(`${server.url}/admin/v1/tenants`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{"name":"x","isRoot":true}' }),
      400,
      'validation_failed',
      'unknown field',
    );
    await assertProblem(
      await fetch(`${server.url}/admin/v1/tenants`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(200_000) }) }),
      413,
      'payload_too_large',
      'too large',
    );
    // A compressed body is refused, not inflated: Content-Digest covers the bytes as sent, and a small
    // compressed body could expand past the limit. An unknown coding is the client's error, not a 500.
    for (const coding of ['gzip', 'x-unknown']) {
      await assertProblem(
        await fetch(`${server.url}/admin/v1/tenants`, {
          method: 'POST',
          headers: { ...admin, 'content-type': 'application/json', 'content-encoding': coding },
          body: coding === 'gzip' ? gzipSync('{"name":"x"}') : '{"name":"x"}',
        }),
        415,
        'unsupported_media_type',
        `Content-Encoding: ${coding}`,
      );
    }
    // A malformed percent-encoding in a path parameter is the client's mistake, not a server fault.
    const badEncoding = await fetch(`${server.url}/admin/v1/tenants/%E0%A4%A`, { headers: admin });
    assertNoStore(badEncoding.headers, 'bad URL encoding');
    await assertProblem(badEncoding, 400, 'malformed_url', 'bad URL encoding');
  });

  test('an unexpected fault is a 500 problem with an instance id and no stack trace or internals', async () => {
    const faulty = await startTestServer();
    try {
      // A real fault: the database goes away under the running server.
      await faulty.running.context.db.close();
      const response = await fetch(`${faulty.url}/admin/v1/tenants`, { headers: { authorization: `Bearer ${faulty.adminToken}` } });
      assertNoStore(response.headers, 'fault');
      const text = await response.clone().text();
      const body = await assertProblem(response, 500, 'internal_error', 'fault');
      assert.match(String(body.instance), /^urn:request:[0-9a-f-]{36}$/);
      assert.doesNotMatch(text, /\bat [\w.<>]+ \(|\.ts:\d+|node_modules|Error:|pglite|closed/i, 'internals in the body');
    } finally {
      await faulty.close().catch(() => undefined);
    }
  });
});
