// test: slow, about 23 s
// OWASP API2:2023 Broken Authentication, against a real server over HTTP: RFC 9421 request signatures
// (forgery, replay, clock window, several labels, algorithm, covered components), key revocation across
// processes, and throttling of failed authentication (docs/security.md).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import http from 'node:http';
import { httpbis, createSigner } from 'http-message-signatures';
import { startTestServer, startTwinApiServer, transferBody, type TestServer } from '../support/test-server.ts';
import { signRequestHeaders, StepupClient } from '../../src/client/stepup-client.ts';

type Tenant = Awaited<ReturnType<TestServer['createTenant']>>;
interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** Sends raw header lines (an array value becomes repeated header lines, which fetch cannot do). */
function send(baseUrl: string, options: { method?: string; path?: string; headers: Record<string, string | string[]>; body?: string }): Promise<Reply> {
  const url = new URL(options.path ?? '/v1/challenges', baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'POST', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : null });
      });
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

const expect401 = (reply: Reply, what: string) => {
  assert.equal(reply.status, 401, `${what}: expected 401, got ${reply.status} ${JSON.stringify(reply.body)}`);
  assert.match(String(reply.headers['content-type']), /application\/problem\+json/);
  assert.equal(reply.body.code, 'unauthorized');
};

/** One signature's dictionary member values, without their label. */
function member(headers: Record<string, string>): { input: string; signature: string } {
  const find = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)![1];
  const strip = (value: string) => value.replace(/^sig1=/, '');
  return { input: strip(find('signature-input')), signature: strip(find('signature')) };
}

/** Signs one request with full control over label, covered fields, parameters and the claimed alg. */
async function signCustom(input: {
  method: string;
  targetUri: string;
  body?: string;
  keyId: string;
  secret: string;
  fields?: string[];
  claimedAlg?: string;
  created?: Date;
  expires?: Date;
  nonce?: string;
  withDigest?: boolean;
}): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (input.body !== undefined) {
    headers['content-type'] = 'application/json';
    if (input.withDigest !== false) headers['content-digest'] = `sha-256=:${createHash('sha256').update(input.body).digest('base64')}:`;
  }
  const signer = createSigner(createSecretKey(Buffer.from(input.secret, 'base64')), 'hmac-sha256', input.keyId);
  const key = input.claimedAlg ? { id: input.keyId, alg: input.claimedAlg, sign: signer.sign } : signer;
  const signed = await httpbis.signMessage(
    {
      key,
      name: 'sig1',
      fields: input.fields ?? (input.body !== undefined ? ['@method', '@target-uri', 'content-digest'] : ['@method', '@target-uri']),
      params: input.expires ? ['created', 'expires', 'nonce', 'keyid', 'alg'] : ['created', 'nonce', 'keyid', 'alg'],
      paramValues: { created: input.created ?? new Date(), nonce: input.nonce ?? randomBytes(16).toString('base64url'), ...(input.expires ? { expires: input.expires } : {}) },
    },
    { method: input.method, url: input.targetUri, headers },
  );
  return signed.headers as Record<string, string>;
}

describe('API2 broken authentication: request signatures', () => {
  let server: TestServer;
  let victim: Tenant;
  let attacker: Tenant;
  const target = () => `${server.url}/v1/challenges`;

  before(async () => {
    server = await startTestServer({ env: { AUTH_FAILURE_LIMIT_PER_MINUTE: '1000' } });
    victim = await server.createTenant({ name: 'Victim Bank' });
    attacker = await server.createTenant({ name: 'Attacker Bank' });
  });
  after(() => server.close());

  const signedBy = (tenant: Tenant, body: string | undefined, secret = tenant.secret) =>
    signRequestHeaders({ method: 'POST', targetUri: target(), body, credentials: { keyId: tenant.keyId, secret } });

  /**
   * Two signature labels: a garbage one claiming the victim's key id and a valid one with the
   * attacker's own key, in the order given.
   */
  async function twoLabels(order: 'victim-first' | 'attacker-first', body: string) {
    const forged = member(await signedBy(victim, body, randomBytes(32).toString('base64')));
    const own = await signedBy(attacker, body);
    const mine = member(own);
    const labels = order === 'victim-first' ? [['sig1', forged], ['sig2', mine]] as const : [['sig1', mine], ['sig2', forged]] as const;
    return {
      'content-type': 'application/json',
      'content-digest': own['content-digest']!,
      'signature-input': labels.map(([label, m]) => `${label}=${m.input}`).join(', '),
      signature: labels.map(([label, m]) => `${label}=${m.signature}`).join(', '),
    };
  }

  test('a correctly signed request is accepted (the baseline the attacks below differ from)', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    const reply = await send(server.url, { body, headers: await signedBy(attacker, body) });
    assert.equal(reply.status, 201);
  });

  for (const order of ['victim-first', 'attacker-first'] as const) {
    test(`two signature labels (${order}), the victim's key not yet cached: refused`, async () => {
      // A fresh victim whose key this server has never looked up; the attacker's key is warm.
      const coldVictim = await server.createTenant({ name: 'Cold Victim' });
      const saved = victim;
      victim = coldVictim;
      try {
        const body = JSON.stringify(transferBody({}, '1000'));
        assert.equal((await send(server.url, { body, headers: await signedBy(attacker, body) })).status, 201);
        const reply = await send(server.url, { body, headers: await twoLabels(order, body) });
        if (reply.status === 201) {
          const asVictim = await coldVictim.client.getChallenge(reply.body.id);
          assert.fail(`impersonation: the attacker's request ran as ${asVictim.status === 200 ? 'the victim' : 'some tenant'}`);
        }
        expect401(reply, `two labels, ${order}, cold cache`);
      } finally {
        victim = saved;
      }
    });

    test(`two signature labels (${order}), both keys cached: refused`, async () => {
      const body = JSON.stringify(transferBody({}, '1000'));
      assert.equal((await send(server.url, { body, headers: await signedBy(victim, body) })).status, 201);
      assert.equal((await send(server.url, { body, headers: await signedBy(attacker, body) })).status, 201);
      expect401(await send(server.url, { body, headers: await twoLabels(order, body) }), `two labels, ${order}, warm cache`);
    });
  }

  test('two valid labels of the same tenant are refused too: exactly one signature per request', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    const first = member(await signedBy(attacker, body));
    const second = member(await signedBy(attacker, body));
    const headers = {
      'content-type': 'application/json',
      'content-digest': `sha-256=:${createHash('sha256').update(body).digest('base64')}:`,
      'signature-input': `sig1=${first.input}, sig2=${second.input}`,
      signature: `sig1=${first.signature}, sig2=${second.signature}`,
    };
    expect401(await send(server.url, { body, headers }), 'two valid labels');
  });

  test('duplicated Signature-Input / Signature header lines are refused', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    const forged = member(await signedBy(victim, body, randomBytes(32).toString('base64')));
    const own = await signedBy(attacker, body);
    const mine = member(own);
    const headers = {
      'content-type': 'application/json',
      'content-digest': own['content-digest']!,
      'signature-input': [`sig1=${forged.input}`, `sig2=${mine.input}`],
      signature: [`sig1=${forged.signature}`, `sig2=${mine.signature}`],
    };
    expect401(await send(server.url, { body, headers }), 'duplicated header lines');
  });

  test('Signature and Signature-Input labels that do not match are refused', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    const own = await signedBy(attacker, body);
    const mine = member(own);
    const base = { 'content-type': 'application/json', 'content-digest': own['content-digest']! };
    expect401(await send(server.url, { body, headers: { ...base, 'signature-input': `sig1=${mine.input}`, signature: `sig2=${mine.signature}` } }), 'label mismatch');
    expect401(
      await send(server.url, { body, headers: { ...base, 'signature-input': `sig1=${mine.input}`, signature: `sig1=${mine.signature}, sig2=${mine.signature}` } }),
      'an extra Signature entry',
    );
  });

  test('a single label with another name is accepted (the label is the client\'s choice)', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    const mine = member(await signedBy(attacker, body));
    const headers = {
      'content-type': 'application/json',
      'content-digest': `sha-256=:${createHash('sha256').update(body).digest('base64')}:`,
      'signature-input': `bank=${mine.input}`,
      signature: `bank=${mine.signature}`,
    };
    assert.equal((await send(server.url, { body, headers })).status, 201);
  });

  test('forged signature (random secret) and truncated signature', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    expect401(await send(server.url, { body, headers: await signedBy(attacker, body, randomBytes(32).toString('base64')) }), 'forged');
    const valid = await signedBy(attacker, body);
    const base64 = /^:([^:]*):$/.exec(member(valid).signature)![1]!;
    const withSignature = (signature: string) => ({ ...Object.fromEntries(Object.entries(valid).filter(([name]) => name.toLowerCase() !== 'signature')), signature });
    expect401(await send(server.url, { body, headers: withSignature(`sig1=:${base64.slice(0, 20)}:`) }), 'truncated');
    expect401(await send(server.url, { body, headers: withSignature('sig1=::') }), 'empty');
  });

  test('another tenant\'s key id signed with one\'s own secret', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    const headers = await signRequestHeaders({ method: 'POST', targetUri: target(), body, credentials: { keyId: victim.keyId, secret: attacker.secret } });
    expect401(await send(server.url, { body, headers }), 'victim key id, attacker secret');
  });

  test('a replayed nonce', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    const headers = await signedBy(attacker, body);
    assert.equal((await send(server.url, { body, headers })).status, 201);
    expect401(await send(server.url, { body, headers }), 'replay');
  });

  test('created stale or in the future (beyond 300 s)', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    // A minute beyond: `created` is whole seconds and the request takes time on a busy machine, so 301 s in
    // the future can be 299.x s by the time it is checked. The edge itself, to the millisecond, is tested
    // on the injected auth clock below.
    for (const offsetMs of [-360_000, 360_000]) {
      const headers = await signCustom({ method: 'POST', targetUri: target(), body, keyId: attacker.keyId, secret: attacker.secret, created: new Date(Date.now() + offsetMs) });
      expect401(await send(server.url, { body, headers }), `created ${offsetMs} ms`);
    }
  });

  test('a claimed algorithm that is not the key\'s', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    for (const claimedAlg of ['ed25519', 'hmac-sha512', 'rsa-pss-sha512']) {
      const headers = await signCustom({ method: 'POST', targetUri: target(), body, keyId: attacker.keyId, secret: attacker.secret, claimedAlg });
      expect401(await send(server.url, { body, headers }), `alg ${claimedAlg}`);
    }
  });

  test('missing covered components: no content-digest header, digest not signed, digest mismatch, no @target-uri', async () => {
    const body = JSON.stringify(transferBody({}, '1000'));
    const common = { method: 'POST', targetUri: target(), body, keyId: attacker.keyId, secret: attacker.secret };
    expect401(await send(server.url, { body, headers: await signCustom({ ...common, withDigest: false, fields: ['@method', '@target-uri'] }) }), 'no content-digest');
    expect401(await send(server.url, { body, headers: await signCustom({ ...common, fields: ['@method', '@target-uri'] }) }), 'content-digest not covered');
    const valid = await signCustom(common);
    expect401(await send(server.url, { body: body.replace('1000', '9000'), headers: valid }), 'digest mismatch');
    expect401(await send(server.url, { body, headers: await signCustom({ ...common, fields: ['@method', 'content-digest'] }) }), '@target-uri not covered');
  });
});

describe('API2 broken authentication: the time windows of a signature, on an injected clock', () => {
  let server: TestServer;
  let bank: Tenant;
  /** Where the server's signature clock stands, in ms since the epoch; the tests move it. */
  let serverNowMs = Date.now();
  const target = () => `${server.url}/v1/challenges`;
  const signAt = (input: { created: number; expires?: number; nonce?: string }, body: string) =>
    signCustom({
      method: 'POST',
      targetUri: target(),
      body,
      keyId: bank.keyId,
      secret: bank.secret,
      created: new Date(input.created),
      ...(input.expires !== undefined ? { expires: new Date(input.expires) } : {}),
      ...(input.nonce ? { nonce: input.nonce } : {}),
    });

  before(async () => {
    server = await startTestServer({ authClock: () => new Date(serverNowMs) });
    bank = await server.createTenant({ name: 'Clocked Bank' });
  });
  after(() => server.close());

  test('L1: a request signed 300 s ahead is refused when replayed 600.1 s after its first use, and its nonce outlives that moment in Redis', async () => {
    // The first use at the earliest moment the signature is accepted: created = now + 300 s.
    const firstUseMs = Math.ceil(Date.now() / 1000) * 1000;
    const created = firstUseMs + 300_000;
    const nonce = randomBytes(16).toString('base64url');
    const body = JSON.stringify(transferBody({}, '1000'));
    const headers = await signAt({ created, nonce }, body);
    serverNowMs = firstUseMs;
    assert.equal((await send(server.url, { body, headers })).status, 201);
    // Redis keeps the nonce for longer than the signature can be accepted (Redis counts real time).
    const pttl = await server.running.context.redis.pttl(`nonce:${bank.keyId}:${nonce}`);
    assert.ok(pttl > 600_100, `the nonce is kept ${pttl} ms, less than the 600 s its signature stays acceptable`);
    // The replay 600.1 s later (by the server's clock) is refused…
    serverNowMs = firstUseMs + 600_100;
    expect401(await send(server.url, { body, headers }), 'replay 600.1 s after first use');
    // …and so is the same created time with a fresh nonce: the window closes 300 s after created, to the millisecond.
    expect401(await send(server.url, { body, headers: await signAt({ created }, body) }), 'created 300.1 s ago');
    serverNowMs = firstUseMs + 600_000;
    assert.equal((await send(server.url, { body, headers: await signAt({ created }, body) })).status, 201, 'created exactly 300 s ago is inside the window');
  });

  test('L2: an `expires` in the past is refused beyond the documented 5 s of clock skew', async () => {
    const nowMs = Math.ceil(Date.now() / 1000) * 1000;
    serverNowMs = nowMs;
    const body = JSON.stringify(transferBody({}, '1000'));
    expect401(await send(server.url, { body, headers: await signAt({ created: nowMs - 20_000, expires: nowMs - 10_000 }, body) }), 'expires = now - 10 s');
    assert.equal((await send(server.url, { body, headers: await signAt({ created: nowMs - 20_000, expires: nowMs - 5_000 }, body) })).status, 201, 'expires = now - 5 s (the skew)');
    expect401(await send(server.url, { body, headers: await signAt({ created: nowMs - 20_000, expires: nowMs - 6_000 }, body) }), 'expires = now - 6 s');
    assert.equal((await send(server.url, { body, headers: await signAt({ created: nowMs, expires: nowMs + 60_000 }, body) })).status, 201, 'expires in the future');
  });
});

describe('API2 broken authentication: revocation reaches every process at once', () => {
  let first: TestServer;
  let second: TestServer;

  before(async () => {
    first = await startTestServer({ db: 'postgres' });
    // A second API process on the same PostgreSQL database and Redis deployment.
    second = await startTwinApiServer(first);
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  test('a key revoked on one process is refused by the other on the very next request', async () => {
    const { tenantId, keyId, secret } = await first.createTenant();
    const throughSecond = new StepupClient({ baseUrl: second.url, credentials: { keyId, secret } });
    // The second process has the key in its cache (positive TTL 5 s by default).
    assert.equal((await throughSecond.createChallenge(transferBody({}, '1000'))).status, 201);
    assert.equal((await throughSecond.createChallenge(transferBody({}, '1000'))).status, 201);
    assert.equal((await first.admin('DELETE', `/admin/v1/tenants/${tenantId}/keys/${keyId}`)).status, 204);
    const after = await throughSecond.createChallenge<any>(transferBody({}, '1000'));
    assert.equal(after.status, 401, 'the second process still accepted the revoked key from its cache');
  });

  test('a key suspended on a strong signal on one process is refused by the other on the very next request, and restored on both', async () => {
    const { tenantId, keyId, secret } = await first.createTenant();
    const current = await first.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
    const document = { ...current.body.document, keyProtection: { ...current.body.document.keyProtection, unknownCustomersPerWindow: 5, suspendOnStrongSignal: true } };
    assert.equal((await first.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, document, { 'if-match': current.headers.get('etag')! })).status, 200);
    const throughFirst = new StepupClient({ baseUrl: first.url, credentials: { keyId, secret } });
    const throughSecond = new StepupClient({ baseUrl: second.url, credentials: { keyId, secret } });
    assert.equal((await throughSecond.createChallenge(transferBody({}, '1000'))).status, 201, 'cached by the second process');
    // An enumeration through the first process (docs/security.md "Key protections"): the request that
    // carries the fifth unknown customer suspends the key.
    let status = 0;
    for (let i = 0; i < 10 && status !== 401; i += 1) status = (await throughFirst.request('GET', `/v1/customers/nobody-${i}`)).status;
    assert.equal(status, 401, 'suspended on the first process');
    assert.equal((await throughSecond.createChallenge(transferBody({}, '1000'))).status, 401, 'the second process still accepted the suspended key from its cache');
    assert.equal((await first.admin('PUT', `/admin/v1/tenants/${tenantId}/keys/${keyId}`, { suspended: false })).status, 200);
    assert.equal((await throughSecond.createChallenge(transferBody({}, '1000'))).status, 201, 'restored on the second process');
  });

  test('an admin token revoked on one process is refused by the other on the very next request (admin tokens are not cached)', async () => {
    const issued = await first.admin('POST', '/admin/v1/tokens', { name: 'ops-oncall', role: 'viewer' });
    assert.equal(issued.status, 201);
    const asViewer = () => fetch(`${second.url}/admin/v1/tenants`, { headers: { authorization: `Bearer ${issued.body.token}` } });
    assert.equal((await asViewer()).status, 200);
    assert.equal((await first.admin('DELETE', `/admin/v1/tokens/${issued.body.id}`)).status, 204);
    assert.equal((await asViewer()).status, 401);
  });
});

describe('API2 broken authentication: failed authentication is throttled per client address', () => {
  test('unknown key ids: a miss is cached briefly, so a flood of the same id does not reach the database', async () => {
    const server = await startTestServer({ env: { AUTH_FAILURE_LIMIT_PER_MINUTE: '1000' } });
    try {
      const tenants = server.running.context.tenants;
      const original = tenants.findActiveKey.bind(tenants);
      let lookups = 0;
      tenants.findActiveKey = async (keyId: string) => {
        lookups += 1;
        return original(keyId);
      };
      const keyId = `key_${randomBytes(8).toString('hex')}`;
      for (let i = 0; i < 5; i += 1) {
        const body = JSON.stringify(transferBody({}, '1000'));
        const headers = await signRequestHeaders({ method: 'POST', targetUri: `${server.url}/v1/challenges`, body, credentials: { keyId, secret: randomBytes(32).toString('base64') } });
        expect401(await send(server.url, { body, headers }), 'unknown key');
      }
      assert.equal(lookups, 1, 'every request for the unknown key id went to the database');
    } finally {
      await server.close();
    }
  });

  test('a flood of unknown key ids is cut off with 429 rate_limited and Retry-After, before any key lookup', async () => {
    const server = await startTestServer({ env: { AUTH_FAILURE_LIMIT_PER_MINUTE: '5' } });
    try {
      const { keyId, secret } = await server.createTenant();
      const tenants = server.running.context.tenants;
      const original = tenants.findActiveKey.bind(tenants);
      const lookedUp: string[] = [];
      tenants.findActiveKey = async (id: string) => {
        lookedUp.push(id);
        return original(id);
      };
      const statuses: number[] = [];
      let last: Reply | undefined;
      for (let i = 0; i < 7; i += 1) {
        const body = JSON.stringify(transferBody({}, '1000'));
        const headers = await signRequestHeaders({
          method: 'POST',
          targetUri: `${server.url}/v1/challenges`,
          body,
          credentials: { keyId: `key_${randomBytes(8).toString('hex')}`, secret },
        });
        last = await send(server.url, { body, headers });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
      // The two refused requests named key ids never seen before: neither reached the database.
      assert.equal(lookedUp.length, 5, `key lookups: ${lookedUp.length}`);
      assert.equal(last!.body.code, 'rate_limited');
      assert.match(String(last!.headers['content-type']), /application\/problem\+json/);
      const retryAfter = Number(last!.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${last!.headers['retry-after']}`);
      // The address is over the limit: even a correctly signed request is refused.
      const body = JSON.stringify(transferBody({}, '1000'));
      const valid = await send(server.url, { body, headers: await signRequestHeaders({ method: 'POST', targetUri: `${server.url}/v1/challenges`, body, credentials: { keyId, secret } }) });
      assert.equal(valid.status, 429);
    } finally {
      await server.close();
    }
  });

  test('a flood of bad admin tokens is cut off with 429 rate_limited and Retry-After', async () => {
    const server = await startTestServer({ env: { AUTH_FAILURE_LIMIT_PER_MINUTE: '5' } });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 7; i += 1) {
        last = await fetch(`${server.url}/admin/v1/tenants`, { headers: { authorization: `Bearer ${randomBytes(24).toString('base64url')}` } });
        statuses.push(last.status);
        if (i < 6) await last.body?.cancel();
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
      const problem = (await last!.json()) as { code: string };
      assert.equal(problem.code, 'rate_limited');
      assert.ok(Number(last!.headers.get('retry-after')) >= 1);
      // The real token from the same address is refused too while the address is over the limit.
      assert.equal((await server.admin('GET', '/admin/v1/tenants')).status, 429);
    } finally {
      await server.close();
    }
  });

  test('X-Forwarded-For is ignored unless TRUST_PROXY names the proxy: a client cannot dodge the limit by inventing addresses', async () => {
    const badToken = (forwardedFor: string) =>
      fetch(`${direct.url}/admin/v1/tenants`, { headers: { authorization: 'Bearer not-the-token-0000000', 'x-forwarded-for': forwardedFor } });
    const direct = await startTestServer({ env: { AUTH_FAILURE_LIMIT_PER_MINUTE: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await badToken(`198.51.100.${i + 1}`)).status);
      assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    } finally {
      await direct.close();
    }
  });

  test('behind a trusted proxy (TRUST_PROXY=loopback) each forwarded client address has its own count', async () => {
    const proxied = await startTestServer({ env: { AUTH_FAILURE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'loopback' } });
    try {
      const badToken = (forwardedFor: string) =>
        fetch(`${proxied.url}/admin/v1/tenants`, { headers: { authorization: 'Bearer not-the-token-0000000', 'x-forwarded-for': forwardedFor } }).then((r) => r.status);
      const attacker = [];
      for (let i = 0; i < 4; i += 1) attacker.push(await badToken('203.0.113.7'));
      assert.deepEqual(attacker, [401, 401, 401, 429]);
      // Another client behind the same proxy is not locked out by the attacker's failures.
      assert.equal(await badToken('203.0.113.8'), 401);
      const real = await fetch(`${proxied.url}/admin/v1/tenants`, { headers: { authorization: `Bearer ${proxied.adminToken}`, 'x-forwarded-for': '203.0.113.9' } });
      assert.equal(real.status, 200);
    } finally {
      await proxied.close();
    }
  });

  test('failures below the limit do not lock anyone out, and successes do not count', async () => {
    const server = await startTestServer({ env: { AUTH_FAILURE_LIMIT_PER_MINUTE: '3' } });
    try {
      const { client } = await server.createTenant();
      for (let i = 0; i < 10; i += 1) assert.equal((await client.createChallenge(transferBody({}, '1000'))).status, 201);
      for (let i = 0; i < 2; i += 1) {
        const bad = await fetch(`${server.url}/admin/v1/tenants`, { headers: { authorization: 'Bearer not-the-token-0000000' } });
        assert.equal(bad.status, 401);
        await bad.body?.cancel();
      }
      assert.equal((await server.admin('GET', '/admin/v1/tenants')).status, 200);
      assert.equal((await client.createChallenge(transferBody({}, '1000'))).status, 201);
    } finally {
      await server.close();
    }
  });
});
