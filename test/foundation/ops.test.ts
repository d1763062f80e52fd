import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';

describe('operations endpoints', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { BODY_LIMIT: '2kb' } });
  });
  after(() => server.close());

  test('healthz, readyz and Prometheus metrics', async () => {
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
    const ready = await (await fetch(`${server.url}/readyz`)).json();
    assert.equal(ready.status, 'ready');
    const { client } = await server.createTenant();
    await client.createChallenge(transferBody({}, '1000'));
    const metrics = await server.metrics();
    assert.match(metrics, /stepup_challenges_created_total\{status="not_required"\} 1/);
    assert.match(metrics, /stepup_http_request_duration_seconds_bucket\{.*route="\/v1\/challenges"/);
    assert.match(metrics, /process_cpu_user_seconds_total/);
  });

  test('GET / names the service and links its documentation: HTML for people, JSON for API clients', async () => {
    const page = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    for (const href of ['/docs', '/openapi.json', '/healthz', '/readyz']) assert.ok(html.includes(`href="${href}"`), href);
    const json = await fetch(`${server.url}/`, { headers: { accept: 'application/json' } });
    const body = await json.json();
    assert.equal(body.service, 'stepup');
    for (const link of Object.values(body.links) as { href: string }[]) {
      assert.equal((await fetch(server.url + link.href)).status, 200, `${link.href} answers`);
    }
  });

  test('bodies over the limit are 413 problems; unknown routes are 404 problems; every answer has a request id', async () => {
    const { client } = await server.createTenant();
    const huge = transferBody({}, '1000');
    huge.transaction.description = 'x'.repeat(199);
    huge.transaction.payee.name = 'y'.repeat(100);
    const big = await client.request<any>('POST', '/v1/challenges', { ...huge, padding: 'z'.repeat(3000) });
    assert.equal(big.status, 413);
    assert.equal(big.body.code, 'payload_too_large');
    const missing = await fetch(`${server.url}/v2/nothing`);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).code, 'not_found');
    assert.match(missing.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const wrongType = await fetch(`${server.url}/admin/v1/tenants`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/plain' }, body: 'name=x' });
    assert.equal(wrongType.status, 415);
  });

  test('receipt keys rotate; receipts signed before the rotation still verify', async () => {
    const { client } = await server.createTenant();
    const before = await client.createChallenge<any>(transferBody({}, '1000'));
    const rotated = await server.admin('POST', '/admin/v1/receipt-keys/rotate');
    assert.equal(rotated.status, 201);
    const after = await client.createChallenge<any>(transferBody({}, '1000'));
    const oldKid = decodeProtectedHeader(before.body.result.receipt).kid;
    const newKid = decodeProtectedHeader(after.body.result.receipt).kid;
    assert.equal(newKid, rotated.body.kid);
    assert.notEqual(oldKid, newKid);
    const jwks = createLocalJWKSet(await (await fetch(`${server.url}/.well-known/jwks.json`)).json());
    await compactVerify(before.body.result.receipt, jwks);
    await compactVerify(after.body.result.receipt, jwks);
  });
});
