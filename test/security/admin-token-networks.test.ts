// An admin token used from a network it was never used from (docs/security.md "Admin tokens and console
// sessions"): audited, counted, logged at warn and, for a tenant-scoped token, sent to the tenant as a
// signed event; once per token and network, whether the token comes as a Bearer header, at console
// sign-in, or as a console session. Requests come from the real loopback sources 127.0.0.2 and
// 127.0.0.1 (one /24), 127.0.1.1 (another) and ::1 (a /64 of its own).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, eventually, type TestServer } from '../support/test-server.ts';
import { eventSink } from '../support/event-sink.ts';
import { fetchFrom } from '../support/fetch-from.ts';

for (const db of ['pglite', 'postgres'] as const) {
  describe(`admin tokens from a new network (${db})`, () => {
    let server: TestServer;
    let sink: Awaited<ReturnType<typeof eventSink>>;
    let tenantId: string;
    let port: string;

    before(async () => {
      // Every loopback address, IPv6 included: HOST '::' (dual stack).
      server = await startTestServer({ db, env: { HOST: '::', LOG_LEVEL: 'info' }, captureLogs: true });
      port = new URL(server.url).port;
      sink = await eventSink();
      tenantId = (await server.admin('POST', '/admin/v1/tenants', { name: 'Admin Watch Bank', allowLoopbackCallbacks: true, defaultCallbackUrl: sink.url })).body.id;
    });
    after(async () => {
      sink.server.close();
      await server.close();
    });

    const baseFor = (source: string) => (source.includes(':') ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`);
    /** GET `path` with `token` as a Bearer header, sent from `source`. */
    const bearerFrom = async (source: string, token: string, path: string) =>
      (await fetchFrom(source)(baseFor(source) + path, { headers: { authorization: `Bearer ${token}` } })).status;
    const scopedToken = async (role = 'operator') => {
      const issued = await server.admin('POST', '/admin/v1/tokens', { name: `watch-${Math.random().toString(36).slice(2, 10)}`, role, tenantId });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      return issued.body as { id: string; token: string; name: string };
    };
    const entries = async (tokenId: string) =>
      (await server.admin('GET', `/admin/v1/audit?action=security.admin_new_network&subject=${tokenId}`)).body.entries as { tenantId: string | null; actor: string; data: Record<string, unknown> }[];
    const events = (tokenId: string) =>
      sink.received.map((event) => ({ ...JSON.parse(event.body), headers: event.headers })).filter((event) => event.type === 'security.admin_new_network' && event.data.tokenId === tokenId);
    const metric = async (scope: string) => Number(new RegExp(`^stepup_admin_new_network_total\\{scope="${scope}"\\} (\\d+)`, 'm').exec(await server.metrics())?.[1] ?? 0);

    test("a tenant-scoped token's first use from a new network: one audit entry, one signed event, a metric and a warn line, however many requests", async () => {
      const token = await scopedToken();
      const before = await metric('tenant');
      // Its first network is its baseline: nothing to signal.
      for (let i = 0; i < 3; i += 1) assert.equal(await bearerFrom('127.0.0.2', token.token, `/admin/v1/tenants/${tenantId}`), 200);
      assert.deepEqual(await entries(token.id), []);
      // 127.0.0.1 is in 127.0.0.2's /24: still the same network.
      assert.equal(await bearerFrom('127.0.0.1', token.token, `/admin/v1/tenants/${tenantId}`), 200);
      assert.deepEqual(await entries(token.id), []);

      for (let i = 0; i < 4; i += 1) assert.equal(await bearerFrom('127.0.1.1', token.token, `/admin/v1/tenants/${tenantId}`), 200);
      const recorded = await entries(token.id);
      assert.equal(recorded.length, 1, 'four requests from the new network, one entry');
      assert.equal(recorded[0]!.tenantId, tenantId);
      assert.deepEqual({ ...recorded[0]!.data, observedAt: undefined }, {
        tokenId: token.id,
        actor: `admin:${token.name}`,
        role: 'operator',
        signal: 'admin_new_network',
        network: '127.0.1.0/24',
        address: '127.0.1.1',
        via: 'api',
        observedAt: undefined,
      });
      const sent = await eventually(async () => (events(token.id).length > 0 ? events(token.id) : undefined), 10_000, 'the event');
      assert.equal(sent.length, 1);
      assert.equal(sent[0].data.network, '127.0.1.0/24');
      assert.match(sent[0].headers['webhook-signature'], /^v1,/, 'signed like every event');
      assert.equal(await metric('tenant'), before + 1);
      const warned = server.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'admin token used from a new network' && line.tokenId === token.id);
      assert.equal(warned.length, 1);
      assert.equal(warned[0].level, 40, 'warn');
      assert.ok(!server.logs.some((line) => line.includes(token.token)), 'the token is never logged');

      // Another network (IPv6 ::1's /64): its own entry and event.
      assert.equal(await bearerFrom('::1', token.token, `/admin/v1/tenants/${tenantId}`), 200);
      assert.equal(await bearerFrom('::1', token.token, `/admin/v1/tenants/${tenantId}`), 200);
      assert.deepEqual((await entries(token.id)).map((entry) => entry.data.network), ['::/64', '127.0.1.0/24']);
      await eventually(async () => (events(token.id).length === 2 ? true : undefined), 10_000, 'the second event');
      // Back on a known network: nothing new.
      assert.equal(await bearerFrom('127.0.1.1', token.token, `/admin/v1/tenants/${tenantId}`), 200);
      assert.equal((await entries(token.id)).length, 2);
    });

    test('console sign-in and a console session count as uses of their token', async () => {
      const token = await scopedToken('viewer');
      const signInFrom = async (source: string) => {
        const response = await fetchFrom(source)(`${baseFor(source)}/admin/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: server.url },
          body: JSON.stringify({ token: token.token }),
        });
        assert.equal(response.status, 201);
        return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
      };
      await signInFrom('127.0.0.2');
      assert.deepEqual(await entries(token.id), [], 'the first sign-in sets the baseline');
      const cookie = await signInFrom('127.0.1.1');
      const [signIn] = await entries(token.id);
      assert.equal(signIn?.data.via, 'console');
      assert.equal(signIn?.data.network, '127.0.1.0/24');
      // The session's cookie, carried to a third network (a stolen cookie looks like this).
      const read = await fetchFrom('::1')(`http://[::1]:${port}/admin/v1/tenants/${tenantId}`, { headers: { cookie } });
      assert.equal(read.status, 200);
      const all = await entries(token.id);
      assert.equal(all.length, 2);
      assert.equal(all[0]!.data.network, '::/64');
      assert.equal(all[0]!.data.via, 'console');
      await eventually(async () => (events(token.id).length === 2 ? true : undefined), 10_000, 'both events');
    });

    test('a request the token lacks the role for (403) is a use too', async () => {
      const token = await scopedToken('viewer');
      assert.equal(await bearerFrom('127.0.0.2', token.token, `/admin/v1/tenants/${tenantId}`), 200);
      // Changing the tenant needs superadmin: refused, but the token was used from a new network.
      const refused = await fetchFrom('127.0.1.1')(`http://127.0.0.1:${port}/admin/v1/tenants/${tenantId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Renamed' }),
      });
      assert.equal(refused.status, 403);
      const [entry] = await entries(token.id);
      assert.equal(entry?.data.network, '127.0.1.0/24');
    });

    test('a global token (the bootstrap superadmin) from a new network: audited without a tenant, counted, no tenant event', async () => {
      const before = await metric('global');
      // server.admin() has used the bootstrap token from 127.0.0.1 all along: that is its baseline.
      assert.equal(await bearerFrom('127.0.1.1', server.adminToken, '/admin/v1/tenants'), 200);
      assert.equal(await bearerFrom('127.0.1.1', server.adminToken, '/admin/v1/tenants'), 200);
      const recorded = await entries('bootstrap');
      assert.equal(recorded.length, 1);
      assert.equal(recorded[0]!.tenantId, null);
      assert.equal(recorded[0]!.data.role, 'superadmin');
      assert.equal(await metric('global'), before + 1);
      assert.ok(!sink.received.some((event) => event.body.includes('"tokenId":"bootstrap"')), 'no tenant hears about a global token');
      assert.ok(!server.logs.some((line) => line.includes(server.adminToken)));
    });

    test("a tenant with a securityCallbackUrl gets the admin signal there, not at its callback URL", async () => {
      const securitySink = await eventSink();
      try {
        const other = (await server.admin('POST', '/admin/v1/tenants', { name: 'Admin Watch SOC Bank', allowLoopbackCallbacks: true, defaultCallbackUrl: sink.url, securityCallbackUrl: securitySink.url })).body.id as string;
        const issued = await server.admin('POST', '/admin/v1/tokens', { name: `soc-${Math.random().toString(36).slice(2, 10)}`, role: 'operator', tenantId: other });
        assert.equal(issued.status, 201, JSON.stringify(issued.body));
        assert.equal(await bearerFrom('127.0.0.2', issued.body.token, `/admin/v1/tenants/${other}`), 200);
        assert.equal(await bearerFrom('127.0.1.1', issued.body.token, `/admin/v1/tenants/${other}`), 200);
        const received = await eventually(async () => {
          const found = securitySink.received.map((event) => JSON.parse(event.body)).filter((event) => event.type === 'security.admin_new_network' && event.data.tokenId === issued.body.id);
          return found.length > 0 ? found : undefined;
        }, 10_000, 'the event at the security URL');
        assert.equal(received.length, 1);
        assert.deepEqual(events(issued.body.id), [], 'nothing at the callback URL');
      } finally {
        securitySink.server.close();
      }
    });
  });
}
