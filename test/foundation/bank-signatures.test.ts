// docs/signing-requests.md: every rejection case of RFC 9421 request signing is a bare 401 problem.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { signRequestHeaders, StepupClient } from '../../src/client/stepup-client.ts';

describe('bank request signatures', () => {
  let server: TestServer;
  let keyId: string;
  let secret: string;
  let tenantId: string;

  before(async () => {
    server = await startTestServer();
    ({ keyId, secret, tenantId } = await server.createTenant());
  });
  after(() => server.close());

  async function send(options: { body?: string; headers: Record<string, string>; path?: string; method?: string }) {
    const response = await fetch(server.url + (options.path ?? '/v1/challenges'), { method: options.method ?? 'POST', headers: options.headers, body: options.body });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.json() };
  }
  const signed = (body: string | undefined, overrides: Partial<Parameters<typeof signRequestHeaders>[0]> = {}) =>
    signRequestHeaders({ method: 'POST', targetUri: `${server.url}/v1/challenges`, body, credentials: { keyId, secret }, ...overrides });
  const expect401 = (result: { status: number; type: string; body: { code: string; detail?: string } }) => {
    assert.equal(result.status, 401);
    assert.match(result.type, /application\/problem\+json/);
    assert.equal(result.body.code, 'unauthorized');
    assert.equal(result.body.detail, 'The request signature could not be verified');
  };

  test('a correctly signed request is accepted', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    const result = await send({ body, headers: await signed(body) });
    assert.equal(result.status, 201);
  });

  test('missing signature headers', async () => {
    const body = JSON.stringify(transferBody());
    expect401(await send({ body, headers: { 'content-type': 'application/json' } }));
  });

  test('unknown key id', async () => {
    const body = JSON.stringify(transferBody());
    expect401(await send({ body, headers: await signed(body, { credentials: { keyId: 'key_unknown000000', secret } }) }));
  });

  test('signed with the wrong secret', async () => {
    const body = JSON.stringify(transferBody());
    expect401(await send({ body, headers: await signed(body, { credentials: { keyId, secret: randomBytes(32).toString('base64') } }) }));
  });

  test('body changed after signing (digest mismatch)', async () => {
    const body = JSON.stringify(transferBody());
    const headers = await signed(body);
    expect401(await send({ body: body.replace('3500000', '3500001'), headers }));
  });

  test('content-digest replaced to match a tampered body (signature no longer matches)', async () => {
    const body = JSON.stringify(transferBody());
    const tampered = body.replace('3500000', '9500000');
    const forged = await signed(tampered);
    const headers = { ...(await signed(body)), 'content-digest': forged['content-digest']! };
    expect401(await send({ body: tampered, headers }));
  });

  test('body without content-digest', async () => {
    const body = JSON.stringify(transferBody());
    const headers = await signed(body);
    delete headers['content-digest'];
    expect401(await send({ body, headers }));
  });

  test('created more than 300 s in the past or the future', async () => {
    // A minute beyond: `created` is whole seconds and the request takes time on a busy machine, so 301 s
    // in the future can be 299.x s by the time it is checked (the edge to the millisecond:
    // test/security/api2-broken-authentication.test.ts, on an injected clock).
    const body = JSON.stringify(transferBody());
    expect401(await send({ body, headers: await signed(body, { created: new Date(Date.now() - 360_000) }) }));
    expect401(await send({ body, headers: await signed(body, { created: new Date(Date.now() + 360_000) }) }));
  });

  test('a replayed nonce', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    const headers = await signed(body, { nonce: `n-${randomBytes(8).toString('hex')}` });
    assert.equal((await send({ body, headers })).status, 201);
    expect401(await send({ body, headers }));
  });

  test('signed for another target URI (path or host)', async () => {
    const body = JSON.stringify(transferBody());
    expect401(await send({ body, headers: await signed(body, { targetUri: `${server.url}/v1/challenges?x=1` }) }));
    expect401(await send({ body, headers: await signed(body, { targetUri: 'https://evil.example/v1/challenges' }) }));
  });

  test('signed for another method', async () => {
    const headers = await signRequestHeaders({ method: 'GET', targetUri: `${server.url}/v1/challenges/chl_aaaaaaaaaaaaaaaaaaaa/cancel`, credentials: { keyId, secret } });
    expect401(await send({ method: 'POST', path: '/v1/challenges/chl_aaaaaaaaaaaaaaaaaaaa/cancel', headers }));
  });

  test('a revoked key', async () => {
    const extra = await server.admin('POST', `/admin/v1/tenants/${tenantId}/keys`, {});
    const client = new StepupClient({ baseUrl: server.url, credentials: { keyId: extra.body.keyId, secret: extra.body.secret } });
    assert.equal((await client.createChallenge(transferBody({}, '1000'))).status, 201);
    assert.equal((await server.admin('DELETE', `/admin/v1/tenants/${tenantId}/keys/${extra.body.keyId}`)).status, 204);
    // The revocation evicts the cached key at once (every process: test/security/api2-broken-authentication.test.ts).
    const rejected = await client.createChallenge<any>(transferBody({}, '1000'));
    assert.equal(rejected.status, 401);
  });

  test('ed25519 keys: the server holds only the public key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const key = await server.admin('POST', `/admin/v1/tenants/${tenantId}/keys`, { alg: 'ed25519', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    assert.equal(key.status, 201);
    assert.equal(key.body.secret, undefined);
    const client = new StepupClient({ baseUrl: server.url, credentials: { keyId: key.body.keyId, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } });
    assert.equal((await client.createChallenge(transferBody({}, '1000'))).status, 201);
    // An HMAC signature claiming this ed25519 key id is refused (alg must match the key).
    const body = JSON.stringify(transferBody());
    expect401(await send({ body, headers: await signed(body, { credentials: { keyId: key.body.keyId, secret } }) }));
  });

  test('rate limit per key answers 429 problem with Retry-After', async () => {
    const limited = await startTestServer({ env: { RATE_LIMIT_PER_KEY_PER_MINUTE: '3' } });
    try {
      const { client } = await limited.createTenant();
      const statuses: number[] = [];
      let last: any;
      for (let i = 0; i < 5; i += 1) {
        last = await client.createChallenge<any>(transferBody({}, '1000'));
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
      assert.equal(last.body.code, 'rate_limited');
      assert.ok(Number(last.headers.get('retry-after')) >= 1);
    } finally {
      await limited.close();
    }
  });
});
