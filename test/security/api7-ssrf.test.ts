// test: slow, about 25 s
// OWASP API7:2023 Server Side Request Forgery. Every URL stepup will later POST to — a tenant's
// default callback URL, a challenge's callbackUrl, the carrier gateway URL — goes through the SSRF
// guard (src/events/callback-url-guard.ts) when it is stored, and again when it is used (the host is
// resolved and the connection pinned to the vetted address, src/events/pinned-post.ts). The tables
// hold one address per row of the IANA special-purpose registries (special-purpose-addresses.ts).
// Nothing here dials or resolves beyond loopback: refused URLs are never connected to, and the
// delivery-time tests listen on 127.0.0.1 and count connections.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTestServer, transferBody, eventually, type TestServer } from '../support/test-server.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import { addressTable, urlHost, type AddressRow } from './special-purpose-addresses.ts';
import { startArsWorld, type ArsWorld } from '../ars/ars-fixture.ts';
import { generateGatewaySecret } from '../../src/telephony/number-intelligence/carrier-gateway-store.ts';
import { putPhone, vettingAudit } from '../number-intelligence/ars-e2e-fixture.ts';

/** URL spellings of loopback, link-local and private hosts that parsers have been fooled by. */
const trickyUrls: string[] = [
  'https://2130706433/hook', // decimal 127.0.0.1
  'https://0x7f000001/hook', // hex
  'https://0x7f.1/hook', // hex, two parts
  'https://0177.0.0.1/hook', // octal
  'https://017700000001/hook', // octal, one part
  'https://127.1/hook', // short form
  'https://0251.0376.0251.0376/latest', // octal 169.254.169.254
  'https://2852039166/latest', // decimal 169.254.169.254
  'https://0xa9fea9fe/latest', // hex 169.254.169.254
  'https://167772161/hook', // decimal 10.0.0.1
  'https://[::ffff:127.0.0.1]/hook',
  'https://[0:0:0:0:0:ffff:7f00:1]/hook',
  'https://[::ffff:a9fe:a9fe]/latest',
  'https://[::127.0.0.1]/hook',
  'https://[::7f00:1]/hook',
  'https://[64:ff9b::169.254.169.254]/latest',
  'https://[2002:7f00:1::]/hook', // 6to4 of 127.0.0.1
  'https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook', // Teredo
  'https://[::]/hook',
  'https://0.0.0.0/hook',
  'https://0/hook',
  'https://localhost/hook',
  'https://LOCALHOST./hook',
  'https://callback.localhost/hook',
  'https://127.0.0.1./hook', // trailing dot
  'https://bank.example@127.0.0.1/hook', // userinfo: the host is 127.0.0.1
  'https://127.0.0.1#@bank.example/hook', // fragment: the host is 127.0.0.1
  'https://127.0.0.1\\@bank.example/hook', // backslash is a path separator in special URLs
  'https://127.0.0.1:443\\@bank.example/hook',
  'https://user:pass@bank.example/hook', // credentials are refused outright
  'http://bank.example/hook', // plain http to a public host
  'ftp://bank.example/hook',
  'file:///etc/passwd',
  'gopher://127.0.0.1:6379/_INFO',
];

const refusedRows = addressTable.filter((row) => row.verdict !== 'public');
const hookUrl = (row: AddressRow) => `https://${urlHost(row.address)}/hook`;

/** A TCP listener on 127.0.0.1 that counts connections (any bytes: http or a TLS ClientHello). */
async function connectionCounter(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: () => new Promise((resolve) => { for (const socket of sockets) socket.destroy(); server.close(() => resolve()); }),
  };
}

describe('API7 SSRF: URLs refused when they are stored', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ channels: [new ManualChannel('otp')] });
  });
  after(() => server.close());

  test('tenant default callback URL: every special-purpose address is refused, public ones accepted', async () => {
    const { tenantId } = await server.createTenant({ allowLoopbackCallbacks: false });
    const wrong: string[] = [];
    for (const row of addressTable) {
      const response = await server.admin('PUT', `/admin/v1/tenants/${tenantId}`, { defaultCallbackUrl: hookUrl(row) });
      const expected = row.verdict === 'public' ? 200 : 422;
      if (response.status !== expected || (expected === 422 && response.body.code !== 'unsafe_callback_url')) wrong.push(`${row.address} (${row.row}): ${response.status}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('the loopback allowance admits loopback rows only, never the other special-purpose rows', async () => {
    const { tenantId } = await server.createTenant({ allowLoopbackCallbacks: true });
    const wrong: string[] = [];
    for (const row of addressTable) {
      const response = await server.admin('PUT', `/admin/v1/tenants/${tenantId}`, { defaultCallbackUrl: `http://${urlHost(row.address)}:9/hook` });
      const expected = row.verdict === 'loopback' ? 200 : 422;
      if (response.status !== expected) wrong.push(`${row.address} (${row.row}): ${response.status}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('per-challenge callbackUrl: refused with 422 unsafe_callback_url, nothing created', async () => {
    const { client, tenantId } = await server.createTenant({ allowLoopbackCallbacks: false });
    const wrong: string[] = [];
    for (const row of refusedRows) {
      const response = await client.createChallenge<any>(transferBody({ callbackUrl: hookUrl(row) }));
      if (response.status !== 422 || response.body.code !== 'unsafe_callback_url') wrong.push(`${row.address}: ${response.status}`);
    }
    assert.deepEqual(wrong, []);
    const count = await server.running.context.db.query<{ n: number }>('SELECT count(*)::int AS n FROM challenges WHERE tenant_id = $1', [tenantId]);
    assert.equal(count.rows[0]!.n, 0);
    // (Public rows are not used here: a challenge that ended would send its event there.)
  });

  test('carrier gateway URL: refused with 422 unsafe_callback_url', async () => {
    const { tenantId } = await server.createTenant({ allowLoopbackCallbacks: false });
    const wrong: string[] = [];
    for (const row of addressTable) {
      const response = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/carrier-gateway`, { url: hookUrl(row) });
      const expected = row.verdict === 'public' ? 200 : 422;
      if (response.status !== expected || (expected === 422 && response.body.code !== 'unsafe_callback_url')) wrong.push(`${row.address}: ${response.status}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('URL tricks (numeric IPv4 forms, embedded IPv4, userinfo, trailing dots, other schemes) are refused everywhere', async () => {
    const { client, tenantId } = await server.createTenant({ allowLoopbackCallbacks: false });
    const wrong: string[] = [];
    for (const url of trickyUrls) {
      const tenant = await server.admin('PUT', `/admin/v1/tenants/${tenantId}`, { defaultCallbackUrl: url });
      // cust-1001 is enrolled in the manual channel: a challenge that slipped through would stay pending,
      // so no event is sent anywhere.
      const challenge = await client.createChallenge<any>(transferBody({ callbackUrl: url }));
      const gateway = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/carrier-gateway`, { url });
      for (const [where, response] of [['tenant', tenant], ['challenge', challenge], ['gateway', gateway]] as const) {
        // The schema refuses other schemes (400); the guard refuses the rest (422 unsafe_callback_url).
        const refused = response.status === 422 ? response.body.code === 'unsafe_callback_url' : response.status === 400;
        if (!refused) wrong.push(`${where} ${url}: ${response.status}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

describe('API7 SSRF: the guard runs again when the URL is used', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ channels: [new ManualChannel('otp')] });
  });
  after(() => server.close());

  // Each URL reaches the 127.0.0.1 listener if connected to. It is accepted while the tenant allows
  // loopback; the allowance is then withdrawn, so the delivery must refuse it.
  for (const host of ['127.0.0.1', 'localhost', '[::ffff:7f00:1]', '[::ffff:127.0.0.1]']) {
    test(`webhook to ${host} after the loopback allowance is withdrawn: refused, the listener sees no connection`, async () => {
      const listener = await connectionCounter();
      try {
        const { client, tenantId } = await server.createTenant({ allowLoopbackCallbacks: true });
        const callbackUrl = `http://${host}:${listener.port}/hook`;
        const created = await client.createChallenge<any>(transferBody({ callbackUrl }));
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.equal(created.body.status, 'pending', 'no event before the allowance is withdrawn');
        const withdrawn = await server.admin('PUT', `/admin/v1/tenants/${tenantId}`, { allowLoopbackCallbacks: false });
        assert.equal(withdrawn.status, 200);
        await client.cancelChallenge(created.body.id);
        const attempt = await eventually(async () => {
          const list = await server.admin('GET', `/admin/v1/tenants/${tenantId}/deliveries?challengeId=${created.body.id}`);
          return list.body.deliveries[0]?.attempts[0];
        }, 10_000, 'the first delivery attempt');
        assert.match(JSON.stringify(attempt), /non-public|must not point|private/, JSON.stringify(attempt));
        assert.equal(listener.connections(), 0, 'the guard refused before connecting');
      } finally {
        await listener.close();
      }
    });
  }

  test('control: with the allowance kept, the same listener is reached (the counter works)', async () => {
    const listener = await connectionCounter();
    try {
      const { client, tenantId } = await server.createTenant({ allowLoopbackCallbacks: true });
      const created = await client.createChallenge<any>(transferBody({ callbackUrl: `http://127.0.0.1:${listener.port}/hook` }));
      await client.cancelChallenge(created.body.id);
      await eventually(async () => (listener.connections() > 0 ? true : undefined), 10_000, 'a connection');
      assert.ok(tenantId);
    } finally {
      await listener.close();
    }
  });
});

describe('API7 SSRF: the carrier gateway call-out is re-checked when it is made', () => {
  let world: ArsWorld;
  before(async () => {
    world = await startArsWorld();
  });
  after(() => world.close());

  test('a gateway on an IPv4-mapped loopback address, allowance withdrawn: vetting records refused_address, no connection', async () => {
    const listener = await connectionCounter();
    try {
      const { tenantId, client } = await world.server.createTenant({ bankName: 'Test Bank', allowLoopbackCallbacks: true });
      const put = await world.server.admin('PUT', `/admin/v1/tenants/${tenantId}/carrier-gateway`, { url: `https://[::ffff:7f00:1]:${listener.port}/inquiry`, secret: generateGatewaySecret() });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal((await world.server.admin('PUT', `/admin/v1/tenants/${tenantId}`, { allowLoopbackCallbacks: false })).status, 200);
      await putPhone(client, 'cust-gw', '+8223123456');
      const vetted = await vettingAudit(world.server, tenantId);
      assert.ok(JSON.stringify(vetted).includes('refused_address'), JSON.stringify(vetted));
      assert.equal(listener.connections(), 0);
    } finally {
      await listener.close();
    }
  });
});
