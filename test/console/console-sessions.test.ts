// Console sessions over HTTP against the real server: cookie flags, CSP, CSRF and Origin checks,
// sign-out, revoked tokens, role enforcement, idle and absolute timeouts, and the queue dashboard's guard.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { JumpClock } from '../../src/time/clock.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { signIn } from './console-client.ts';

describe('console sessions', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  test('the console page and its assets carry a strict CSP without inline script', async () => {
    for (const path of ['/admin', '/admin/', '/admin/assets/js/console.js', '/admin/assets/console.css']) {
      const response = await fetch(server.url + path);
      assert.equal(response.status, 200, path);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
    }
    const html = await (await fetch(`${server.url}/admin`)).text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script element');
    assert.doesNotMatch(html, /https?:\/\//, 'no external asset');
  });

  test('sign-in sets an HttpOnly SameSite=Strict cookie holding an opaque id, never the token', async () => {
    const session = await signIn(server, server.adminToken);
    assert.match(session.setCookie, /^stepup_console=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict$/);
    assert.ok(!session.setCookie.includes(server.adminToken));
    assert.equal(session.role, 'superadmin');
    const read = await session.call('GET', '/admin/session');
    assert.equal(read.status, 200);
    assert.equal(read.body.csrfToken, session.csrfToken);
    assert.ok(!JSON.stringify(read.body).includes(server.adminToken));
    const tenants = await session.call('GET', '/admin/v1/tenants');
    assert.equal(tenants.status, 200);
    assert.equal(tenants.headers.get('cache-control'), 'no-store');
  });

  test('signing in again replaces the session the browser had', async () => {
    const first = await signIn(server, server.adminToken);
    const response = await fetch(`${server.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url, cookie: first.cookie }, body: JSON.stringify({ token: server.adminToken }) });
    assert.equal(response.status, 201);
    const second = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.notEqual(second, first.cookie);
    assert.equal((await first.call('GET', '/admin/v1/tenants')).status, 401);
    assert.equal((await fetch(`${server.url}/admin/v1/tenants`, { headers: { cookie: second } })).status, 200);
  });

  test('a wrong token is 401 and sets no cookie; a sign-in from another origin is refused', async () => {
    const wrong = await fetch(`${server.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ token: 'not-the-token-at-all-xxxx' }) });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const foreign = await fetch(`${server.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: JSON.stringify({ token: server.adminToken }) });
    assert.equal(foreign.status, 403);
    assert.equal(((await foreign.json()) as { code: string }).code, 'csrf_failed');
    assert.equal(foreign.headers.get('set-cookie'), null);
  });

  test('a change without the CSRF header, with a wrong one, or from another origin is refused; with both it goes through', async () => {
    const session = await signIn(server, server.adminToken);
    const body = JSON.stringify({ name: 'CSRF Bank' });
    const attempt = (headers: Record<string, string>) =>
      fetch(`${server.url}/admin/v1/tenants`, { method: 'POST', headers: { cookie: session.cookie, 'content-type': 'application/json', ...headers }, body });
    const refusals: Record<string, string>[] = [{ origin: server.url }, { origin: server.url, 'x-csrf-token': 'x'.repeat(43) }, { origin: 'https://evil.example', 'x-csrf-token': session.csrfToken }, { 'x-csrf-token': session.csrfToken }];
    for (const headers of refusals) {
      const refused = await attempt(headers);
      assert.equal(refused.status, 403, JSON.stringify(headers));
      assert.equal(((await refused.json()) as { code: string }).code, 'csrf_failed');
    }
    const tenants = await server.admin('GET', '/admin/v1/tenants');
    assert.ok(!tenants.body.tenants.some((t: { name: string }) => t.name === 'CSRF Bank'), 'nothing was created');
    const accepted = await attempt({ origin: server.url, 'x-csrf-token': session.csrfToken });
    assert.equal(accepted.status, 201);
  });

  test('sign-out ends the session on the server', async () => {
    const session = await signIn(server, server.adminToken);
    const out = await session.call('DELETE', '/admin/session');
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await session.call('GET', '/admin/v1/tenants')).status, 401);
    assert.equal((await session.call('GET', '/admin/session')).status, 401);
  });

  test('revoking the admin token ends the sessions made from it', async () => {
    const issued = await server.admin('POST', '/admin/v1/tokens', { name: 'console-revoke', role: 'operator' });
    const session = await signIn(server, issued.body.token);
    assert.equal((await session.call('GET', '/admin/v1/tenants')).status, 200);
    assert.equal((await server.admin('DELETE', `/admin/v1/tokens/${issued.body.id}`)).status, 204);
    assert.equal((await session.call('GET', '/admin/v1/tenants')).status, 401);
  });

  test('the session yields the token role: a viewer reads but cannot save a policy (403)', async () => {
    const { tenantId } = await server.createTenant();
    const issued = await server.admin('POST', '/admin/v1/tokens', { name: 'console-viewer', role: 'viewer' });
    const viewer = await signIn(server, issued.body.token);
    const policy = await viewer.call('GET', `/admin/v1/tenants/${tenantId}/policy`);
    assert.equal(policy.status, 200);
    const put = await viewer.call('PUT', `/admin/v1/tenants/${tenantId}/policy`, policy.body.document, { 'if-match': policy.headers.get('etag')! });
    assert.equal(put.status, 403);
    assert.equal(put.body.code, 'forbidden');
  });

  test('a Bearer token still works and wins over a cookie', async () => {
    const issued = await server.admin('POST', '/admin/v1/tokens', { name: 'console-viewer2', role: 'viewer' });
    const viewer = await signIn(server, issued.body.token);
    const response = await fetch(`${server.url}/admin/v1/tokens`, { headers: { cookie: viewer.cookie, authorization: `Bearer ${server.adminToken}` } });
    assert.equal(response.status, 200);
    assert.equal((await viewer.call('GET', '/admin/v1/tokens')).status, 403);
  });

  test('the queue dashboard needs a session; lower roles read, only operators change', async () => {
    const anonymous = await fetch(`${server.url}/admin/queues`, { redirect: 'manual', headers: { accept: 'text/html' } });
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get('location'), '/admin');
    assert.equal((await fetch(`${server.url}/admin/queues/api/queues`)).status, 401);
    const issued = await server.admin('POST', '/admin/v1/tokens', { name: 'console-viewer3', role: 'viewer' });
    const viewer = await signIn(server, issued.body.token);
    const page = await viewer.call('GET', '/admin/queues-readonly');
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /script-src[^;]*unsafe/);
    const queues = await viewer.call('GET', '/admin/queues/api/queues');
    assert.equal(queues.status, 200);
    const names = (queues.body.queues as { name: string }[]).map((q) => q.name).sort();
    assert.deepEqual(names, ['ars-phone-change-call', 'ars-place-call', 'ars-reconcile', 'challenge-expiry', 'hold-notify', 'hold-release', 'maintenance', 'webhook-delivery']);
    assert.equal((await viewer.call('PUT', '/admin/queues/api/queues/maintenance/pause')).status, 403);
    const operatorToken = await server.admin('POST', '/admin/v1/tokens', { name: 'console-operator', role: 'operator' });
    const operator = await signIn(server, operatorToken.body.token);
    assert.equal((await operator.call('PUT', '/admin/queues/api/queues/maintenance/pause')).status, 200);
    assert.equal((await operator.call('PUT', '/admin/queues/api/queues/maintenance/resume')).status, 200);
  });
});

describe('console session timeouts (CONSOLE_IDLE_TIMEOUT_SECONDS=600, CONSOLE_ABSOLUTE_TIMEOUT_SECONDS=3600, on the clock)', () => {
  let server: TestServer;
  // The server's clock, moved past each boundary; it also runs at real speed, so each boundary is
  // approached to 30 s (more than a busy machine's real seconds in this test), never slept towards.
  const time = new JumpClock();
  before(async () => {
    server = await startTestServer({ clock: time.now, env: { CONSOLE_IDLE_TIMEOUT_SECONDS: '600', CONSOLE_ABSOLUTE_TIMEOUT_SECONDS: '3600' } });
  });
  after(() => server?.close());

  test('an idle session ends after the idle timeout, not before', async () => {
    const session = await signIn(server, server.adminToken);
    assert.equal((await session.call('GET', '/admin/v1/tenants')).status, 200);
    time.advance(570_000);
    assert.equal((await session.call('GET', '/admin/v1/tenants')).status, 200, 'used 30 s before its idle timeout');
    time.advance(630_000);
    assert.equal((await session.call('GET', '/admin/v1/tenants')).status, 401, 'idle 30 s past its timeout');
  });

  test('a busy session still ends at the absolute timeout', async () => {
    const session = await signIn(server, server.adminToken);
    for (let used = 1; used <= 7; used += 1) {
      time.advance(500_000);
      assert.equal((await session.call('GET', '/admin/v1/tenants')).status, 200, `kept alive by use (${used * 500} s)`);
    }
    time.advance(70_000);
    assert.equal((await session.call('GET', '/admin/v1/tenants')).status, 200, '3570 s: 30 s before its absolute timeout');
    time.advance(60_000);
    assert.equal((await session.call('GET', '/admin/v1/tenants')).status, 401, '3630 s: past the absolute timeout although used');
  });
});

describe('console cookie over https', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { PUBLIC_BASE_URL: 'https://console.bank.example' } });
  });
  after(() => server?.close());

  test('the cookie is Secure when PUBLIC_BASE_URL is https, and only that origin may sign in', async () => {
    const session = await signIn(server, server.adminToken, 'https://console.bank.example');
    assert.match(session.setCookie, /; Secure$/);
    await assert.rejects(signIn(server, server.adminToken), /403/);
  });
});
