// OWASP API4:2023 Unrestricted Resource Consumption, against the real server over HTTP:
// - bodies over BODY_LIMIT (64 kB) are 413 problems, signed bank routes and admin routes alike;
// - deeply nested JSON and huge arrays inside the limit are 400 validation_failed, and the server
//   keeps answering;
// - strings beyond the schemas' maximum lengths are 400;
// - OTP tokens: at most 10 per customer, also under concurrent imports across customers
//   (test/otp-channel/otp-token-limit.test.ts has the single-customer cases on both databases);
// - policy arrays and grade maps are bounded, so a policy document cannot grow without limit.
// Call caps (calls per customer per hour, per number per day) are proven on real Redis, racing
// included, by test/number-intelligence/call-caps.test.ts and through the API by
// test/ars/vetting-and-caps.test.ts; they are not repeated here.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { eventually, startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { signRequestHeaders } from '../../src/client/stepup-client.ts';

const ocra = { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN16', secretHex: '3132333435363738393031323334353637383930' } as const;

/** JSON text of `depth` arrays nested in one another around a number (built as text: too deep for JSON.stringify). */
const nestedJson = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/** Sends a raw JSON text to a signed bank route, as a bank's client would. */
async function sendSigned(server: TestServer, credentials: { keyId: string; secret: string }, method: string, path: string, text: string) {
  const headers = await signRequestHeaders({ method, targetUri: server.url + path, body: text, credentials });
  const response = await fetch(server.url + path, { method, headers, body: text });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const isProblem = (response: { headers: Headers }) => /^application\/problem\+json/.test(response.headers.get('content-type') ?? '');

describe('API4 resource consumption (PGlite)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('a body over the limit is 413 payload_too_large, on a signed bank route and on an admin route', async () => {
    const { client, tenantId } = await server.createTenant();
    const padding = 'x'.repeat(70 * 1024);
    const bank = await client.createChallenge<any>(transferBody({ padding }));
    assert.equal(bank.status, 413);
    assert.equal(bank.body.code, 'payload_too_large');
    assert.ok(isProblem(bank));
    const token = await client.createOtpToken<any>('cust-big', { ...ocra, label: padding });
    assert.deepEqual([token.status, token.body.code], [413, 'payload_too_large']);
    const policy = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, { padding }, { 'if-match': '"v0"' });
    assert.deepEqual([policy.status, policy.body.code], [413, 'payload_too_large']);
    assert.ok(isProblem(policy));
    // Unauthenticated: refused without being buffered past the limit.
    const anonymous = await fetch(`${server.url}/v1/challenges`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ padding: 'y'.repeat(2 * 1024 * 1024) }) });
    assert.equal(anonymous.status, 413);
    assert.equal(((await anonymous.json()) as any).code, 'payload_too_large');
  });

  test('deeply nested JSON inside the limit is 400, and the server keeps answering', async () => {
    const { client, tenantId, keyId, secret } = await server.createTenant();
    const credentials = { keyId, secret };
    // 25,000 levels is 50 kB: inside the body limit, far beyond what recursive code survives.
    for (const depth of [1000, 10_000, 25_000]) {
      const body = JSON.stringify(transferBody()).replace(/}$/, `,"context":{"grade":${nestedJson(depth)}}}`);
      const challenge = await sendSigned(server, credentials, 'POST', '/v1/challenges', body);
      assert.equal(challenge.status, 400, `depth ${depth}: ${JSON.stringify(challenge.body).slice(0, 200)}`);
      assert.equal(challenge.body.code, 'validation_failed');
      const token = await sendSigned(server, credentials, 'POST', '/v1/customers/cust-deep/otp-tokens', `{"type":"totp","label":${nestedJson(depth)}}`);
      assert.equal(token.status, 400, `token, depth ${depth}`);
      const dryRun = await fetch(`${server.url}/admin/v1/tenants/${tenantId}/policy/dry-run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
        body: `{"policy":{"grades":{"deep":${nestedJson(depth)}}},"transaction":{"reference":"TX-deep","type":"certificate_reissue"}}`,
      });
      assert.equal(dryRun.status, 400, `dry-run, depth ${depth}`);
    }
    const health = await client.createChallenge<any>(transferBody({ customerId: 'cust-after-deep' }, '1000'));
    assert.equal(health.status, 201, 'still serving');
  });

  test('huge arrays inside the limit are 400', async () => {
    const { client, tenantId } = await server.createTenant();
    const channels = await client.createChallenge<any>(transferBody({ channels: Array.from({ length: 10_000 }, () => 'otp') }));
    assert.deepEqual([channels.status, channels.body.code], [400, 'validation_failed']);
    const current = (await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`)).body.document;
    const oversized: [string, (document: any) => void][] = [
      ['stepUp.alwaysFor', (d) => (d.stepUp.alwaysFor = Array.from({ length: 5000 }, () => 'other'))],
      ['channels.ars.allowedCountries', (d) => (d.channels.ars.allowedCountries = Array.from({ length: 5000 }, () => 'KR'))],
      ['channels.ars.allowedLineTypes', (d) => (d.channels.ars.allowedLineTypes = Array.from({ length: 5000 }, () => 'landline'))],
      ['channelOrder', (d) => (d.channelOrder = Array.from({ length: 3000 }, () => 'otp'))],
      ['grades', (d) => (d.grades = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`g${i}`, {}])))],
    ];
    for (const [field, change] of oversized) {
      const draft = structuredClone(current);
      change(draft);
      const refused = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, draft, { 'if-match': '"v0"' });
      assert.equal(refused.status, 400, field);
      assert.equal(refused.body.code, 'validation_failed', field);
      assert.ok(refused.body.errors.some((error: any) => error.path.startsWith(`body.${field}`)), `${field}: ${JSON.stringify(refused.body.errors).slice(0, 300)}`);
    }
    assert.equal((await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`)).body.version, 0, 'nothing stored');
  });

  test('strings beyond the schemas maximum lengths are 400 validation_failed', async () => {
    const { client, tenantId } = await server.createTenant();
    const long = (n: number, c = 'a') => c.repeat(n);
    const cases: [string, () => Promise<{ status: number; body: any }>][] = [
      ['customerId (65)', () => client.createChallenge(transferBody({ customerId: long(65) }))],
      ['transaction.reference (129)', () => client.createChallenge({ ...transferBody(), transaction: { ...transferBody().transaction, reference: long(129) } })],
      ['payee.name (101)', () => client.createChallenge({ ...transferBody(), transaction: { ...transferBody().transaction, payee: { name: long(101), account: '110-123-456789' } } })],
      ['transaction.description (201)', () => client.createChallenge({ ...transferBody(), transaction: { ...transferBody().transaction, description: long(201) } })],
      ['callbackUrl (2049)', () => client.createChallenge(transferBody({ callbackUrl: `https://bank.example/${long(2030)}` }))],
      ['token label (65)', () => client.createOtpToken('cust-long', { ...ocra, label: long(65) })],
      ['token suite (65)', () => client.createOtpToken('cust-long', { ...ocra, suite: `OCRA-1:HOTP-SHA1-6:C-QN16${long(40, '-')}` })],
      ['OTP code (129 hex digits)', () => client.submitOtp('chl_aaaaaaaaaaaaaaaaaaaaaa', long(129, '1'))],
      ['tenant name (101)', () => server.admin('PUT', `/admin/v1/tenants/${tenantId}`, { name: long(101) })],
    ];
    for (const [name, send] of cases) {
      const response = await send();
      assert.equal(response.status, 400, `${name}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
      assert.equal(response.body.code, 'validation_failed', name);
    }
    // Path parameters that fail their schema name no resource: 404 (src/http/app.ts), never a lookup.
    const longPath = await client.createOtpToken<any>(long(65), ocra);
    assert.deepEqual([longPath.status, longPath.body.code], [404, 'not_found']);
  });
});

describe('API4 resource consumption: OTP tokens under concurrency (PostgreSQL)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db: 'postgres' });
  });
  after(() => server.close());

  test('13 concurrent imports for each of 4 customers: exactly 10 each, the rest 409 otp_token_limit_reached', async () => {
    const { client, tenantId } = await server.createTenant();
    const customers = ['cust-c1', 'cust-c2', 'cust-c3', 'cust-c4'];
    const answers = await Promise.all(customers.flatMap((customerId) => Array.from({ length: 13 }, () => client.createOtpToken<any>(customerId, ocra).then((answer) => ({ customerId, answer })))));
    for (const customerId of customers) {
      const mine = answers.filter((entry) => entry.customerId === customerId).map((entry) => entry.answer);
      assert.equal(mine.filter((answer) => answer.status === 201).length, 10, customerId);
      assert.ok(mine.filter((answer) => answer.status !== 201).every((answer) => answer.status === 409 && answer.body.code === 'otp_token_limit_reached'), customerId);
    }
    const stored = await server.running.context.db.query<{ customer_id: string; n: number }>(
      `SELECT customer_id, count(*)::int AS n FROM otp_tokens WHERE tenant_id = $1 GROUP BY customer_id ORDER BY customer_id`,
      [tenantId],
    );
    assert.deepEqual(stored.rows, customers.map((customerId) => ({ customer_id: customerId, n: 10 })));
  });
});

/** A raw TCP connection to the server (fetch cannot half-send a body or abort mid-body). */
async function rawConnection(server: TestServer): Promise<net.Socket> {
  const { hostname, port } = new URL(server.url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Resolves with the ms it took the server to close `socket`, or rejects after `withinMs`. */
function closedWithin(socket: net.Socket, withinMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server held the connection longer than ${withinMs} ms`)), withinMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    });
    socket.resume();
  });
}

/** Log lines at pino's error level (50) or above. */
const errorLines = (logs: string[]) => logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

// L4 and L6 (docs/security.md): a client that aborts bodies or sends them slowly must neither fill
// the log with errors nor hold connections: aborted bodies are a 400 logged at debug, receiving a
// request has a deadline of seconds, and one client address holds a bounded number of connections.
describe('API4 resource consumption: aborted and slow requests, connections per address', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      captureLogs: true,
      env: { HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_HEADERS_TIMEOUT_MS: '1000', MAX_CONNECTIONS_PER_ADDRESS: '8' },
    });
  });
  after(() => server.close());

  const head = (path: string, length: number) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

  test('L4: aborted bodies are logged at debug, never as errors', async () => {
    const before = server.logs.length;
    const aborted = 30;
    for (let i = 0; i < aborted; i += 1) {
      const socket = await rawConnection(server);
      // A bank route and an admin route, half a body each, then the client goes away.
      socket.write(head(i % 2 === 0 ? '/v1/challenges' : '/admin/v1/tenants', 4096) + '{"customerId":"c');
      await new Promise((resolve) => setTimeout(resolve, 0));
      socket.destroy();
    }
    const seen = await eventually(async () => {
      const lines = server.logs.slice(before).filter((line) => line.includes('request body aborted'));
      return lines.length >= aborted ? lines : undefined;
    }, 10_000, 'a debug line per aborted body');
    for (const line of seen) assert.equal((JSON.parse(line) as { level: number }).level, 20, line);
    assert.deepEqual(errorLines(server.logs.slice(before)), []);
  });

  test('L4: a body cut short by a half-closed connection is a 400 request_aborted problem, on a declared route and on a mount, logged at debug', async () => {
    const before = server.logs.length;
    // The bank API (the fast path) and the console's sign-in (mounted on express).
    for (const path of ['/v1/challenges', '/admin/session']) {
      const socket = await rawConnection(server);
      let received = '';
      socket.on('data', (chunk) => (received += String(chunk)));
      socket.write(head(path, 4096) + '{"customerId":"c');
      socket.end();
      await once(socket, 'close');
      assert.match(received, /^HTTP\/1\.1 400 /, path);
      assert.match(received, /\r\ncontent-type: application\/problem\+json/i, path);
      assert.match(received, /\r\nx-request-id: /i, path);
      assert.match(received, /"code":"request_aborted"/, path);
    }
    const lines = server.logs.slice(before).filter((line) => line.includes('request body aborted'));
    assert.equal(lines.length, 2);
    for (const line of lines) assert.equal((JSON.parse(line) as { level: number }).level, 20, line);
    assert.deepEqual(errorLines(server.logs.slice(before)), []);
  });

  test('L4: a half-sent body and unfinished headers are cut off within the request and header timeouts', async () => {
    const slowBody = await rawConnection(server);
    slowBody.write(head('/v1/challenges', 4096) + '{"customerId":');
    const slowHeaders = await rawConnection(server);
    slowHeaders.write('POST /v1/challenges HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const [bodyMs, headersMs] = await Promise.all([closedWithin(slowBody, 5_000), closedWithin(slowHeaders, 5_000)]);
    // Node checks its timers at an interval (configured below the timeouts): allow one interval on top.
    assert.ok(bodyMs >= 1000, `closed after ${bodyMs} ms, before the request timeout`);
    assert.ok(headersMs >= 500, `closed after ${headersMs} ms, before the headers timeout`);
    assert.deepEqual(errorLines(server.logs), []);
  });

  test('L6: one address holds at most MAX_CONNECTIONS_PER_ADDRESS connections; others are closed at once, and freed slots serve again', async () => {
    const held = await Promise.all(Array.from({ length: 8 }, () => rawConnection(server)));
    try {
      const extra = await rawConnection(server);
      const ms = await closedWithin(extra, 900);
      assert.ok(ms < 900, `the ninth connection was held ${ms} ms`);
    } finally {
      for (const socket of held) socket.destroy();
    }
    // Once the held connections are gone, the address is served again.
    await eventually(async () => {
      const response = await fetch(`${server.url}/healthz`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    }, 5_000, 'the address to be served again');
  });
});
