// A stolen bank key is useless elsewhere and loud everywhere (docs/security.md "Key protections").
// Requests come from real loopback source addresses (127.0.0.2, 127.0.1.1, ::1), each a different
// network to the server; the bank's event endpoint is a local sink.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, transferBody, eventually, type TestServer } from '../support/test-server.ts';
import { eventSink } from '../support/event-sink.ts';
import { fetchFrom } from '../support/fetch-from.ts';
import { StepupClient } from '../../src/client/stepup-client.ts';
import { JumpClock } from '../../src/time/clock.ts';

for (const db of ['pglite', 'postgres'] as const) {
  describe(`key protections (${db})`, () => {
    const clock = new JumpClock();
    let server: TestServer;
    let sink: Awaited<ReturnType<typeof eventSink>>;
    let tenantId: string;
    let port: string;

    before(async () => {
      // Listening on every loopback address, IPv6 included: HOST '::' (dual stack).
      server = await startTestServer({ db, env: { HOST: '::' }, clock: clock.now, authClock: clock.now });
      port = new URL(server.url).port;
      sink = await eventSink();
      tenantId = (await server.admin('POST', '/admin/v1/tenants', { name: 'Key Bank', allowLoopbackCallbacks: true, defaultCallbackUrl: sink.url })).body.id;
    });
    after(async () => {
      sink.server.close();
      await server.close();
    });

    const issueKey = async (protections: Record<string, unknown> = {}) => {
      const key = await server.admin('POST', `/admin/v1/tenants/${tenantId}/keys`, protections);
      assert.equal(key.status, 201, JSON.stringify(key.body));
      return key.body as { keyId: string; secret: string; allowedNetworks: string[] | null; expiresAt: string | null };
    };
    /** A client of `key` sending from `source` (IPv6 sources talk to [::1]). */
    const clientFrom = (key: { keyId: string; secret: string }, source: string) =>
      new StepupClient({
        baseUrl: source.includes(':') ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`,
        publicBaseUrl: server.url,
        credentials: { keyId: key.keyId, secret: key.secret },
        fetch: fetchFrom(source),
        clock: clock.now,
      });
    const anomalies = (keyId: string) =>
      sink.received.map((event) => JSON.parse(event.body)).filter((event) => event.type === 'security.key_anomaly' && event.data.keyId === keyId);
    const listed = async (keyId: string) => (await server.admin('GET', `/admin/v1/tenants/${tenantId}/keys`)).body.keys.find((key: { keyId: string }) => key.keyId === keyId);

    test('a key limited to one network is refused (401) from another, signalled once per network, and works from its own', async () => {
      const key = await issueKey({ allowedNetworks: ['127.0.0.2/32'] });
      assert.deepEqual(key.allowedNetworks, ['127.0.0.2/32']);
      const inside = clientFrom(key, '127.0.0.2');
      assert.equal((await inside.createChallenge(transferBody())).status, 201);

      const outside = clientFrom(key, '127.0.1.1');
      for (let i = 0; i < 5; i += 1) {
        const refused = await outside.createChallenge<any>(transferBody());
        assert.equal(refused.status, 401);
        assert.equal(refused.body.code, 'unauthorized');
      }
      const events = await eventually(async () => (anomalies(key.keyId).length > 0 ? anomalies(key.keyId) : undefined), 10_000, 'the signal');
      assert.equal(events.length, 1, 'five refusals from one network are one signal');
      assert.deepEqual({ ...events[0].data, observedAt: undefined }, { keyId: key.keyId, signal: 'outside_allowed_networks', network: '127.0.1.0/24', address: '127.0.1.1', refused: true, observedAt: undefined });
      // Signed like every event (Standard Webhooks headers).
      const raw = sink.received.find((event) => event.body.includes(key.keyId))!;
      assert.match(raw.headers['webhook-signature']!, /^v1,/);
      // From a third network (IPv6): refused, and its own signal.
      assert.equal((await clientFrom(key, '::1').createChallenge(transferBody())).status, 401);
      await eventually(async () => (anomalies(key.keyId).length === 2 ? true : undefined), 10_000, 'the second network\'s signal');
      assert.equal(anomalies(key.keyId)[1].data.network, '::/64', "::1's /64");

      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=security.key_anomaly&subject=${key.keyId}`);
      assert.equal(audit.status, 200);
      assert.deepEqual(audit.body.entries.map((entry: any) => entry.data.signal).sort(), ['outside_allowed_networks', 'outside_allowed_networks']);
    });

    test('admins see where and when a key was last used', async () => {
      const key = await issueKey();
      assert.equal((await listed(key.keyId)).lastUsedAt, null);
      assert.equal((await clientFrom(key, '127.0.0.2').createChallenge(transferBody())).status, 201);
      const seen = await eventually(async () => {
        const row = await listed(key.keyId);
        return row.lastUsedAt ? row : undefined;
      }, 10_000, 'lastUsedAt');
      assert.equal(seen.lastUsedFrom, '127.0.0.2');
      assert.ok(Math.abs(Date.parse(seen.lastUsedAt) - clock.now().getTime()) < 60_000);
    });

    test('first use from a new network is signalled once, not on every request; the first network is the baseline', async () => {
      const key = await issueKey();
      const home = clientFrom(key, '127.0.0.2');
      for (let i = 0; i < 3; i += 1) assert.equal((await home.createChallenge(transferBody())).status, 201);
      const away = clientFrom(key, '127.0.1.1');
      for (let i = 0; i < 3; i += 1) assert.equal((await away.createChallenge(transferBody())).status, 201, 'a key without allowedNetworks answers from anywhere');
      const events = await eventually(async () => (anomalies(key.keyId).length > 0 ? anomalies(key.keyId) : undefined), 10_000, 'the signal');
      // The home network's requests came first and raised nothing; each request's signal is written
      // before it is answered, so by now every one the away requests raised is in the sink or on its way.
      const recorded = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=security.key_anomaly&subject=${key.keyId}`);
      assert.equal(recorded.body.entries.length, 1, 'three requests from the new network, one signal');
      assert.equal(events.length, 1);
      assert.equal(events[0].data.signal, 'new_network');
      assert.equal(events[0].data.network, '127.0.1.0/24');
      assert.equal(events[0].data.refused, false);
      // Its last use is the new network's, at once.
      assert.equal((await listed(key.keyId)).lastUsedFrom, '127.0.1.1');
    });

    test('a key past its expiresAt (by the server clock) is refused and signalled; a limit can be changed and cleared', async () => {
      const expiresAt = new Date(clock.now().getTime() + 3600_000).toISOString();
      const key = await issueKey({ expiresAt });
      const client = clientFrom(key, '127.0.0.2');
      assert.equal((await client.createChallenge(transferBody())).status, 201);
      clock.advance(3600_000 + 1000);
      assert.equal((await client.createChallenge(transferBody())).status, 401);
      await eventually(async () => (anomalies(key.keyId).some((event) => event.data.signal === 'expired_key_used') ? true : undefined), 10_000, 'the expiry signal');

      // Extended by an admin (audited): in force from the next request.
      const later = new Date(clock.now().getTime() + 3600_000).toISOString();
      const extended = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/keys/${key.keyId}`, { expiresAt: later, allowedNetworks: ['127.0.0.0/24', '::1'] });
      assert.equal(extended.status, 200, JSON.stringify(extended.body));
      assert.deepEqual(extended.body.allowedNetworks, ['127.0.0.0/24', '::1/128']);
      assert.equal((await client.createChallenge(transferBody())).status, 201);
      assert.equal((await clientFrom(key, '127.0.1.1').createChallenge(transferBody())).status, 401);
      const cleared = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/keys/${key.keyId}`, { allowedNetworks: null });
      assert.equal(cleared.body.allowedNetworks, null);
      assert.equal((await clientFrom(key, '127.0.1.1').createChallenge(transferBody())).status, 201);
    });

    test('bad protections are 400 naming the field; an expiry in the past and unknown keys are refused', async () => {
      const bad = await server.admin('POST', `/admin/v1/tenants/${tenantId}/keys`, { allowedNetworks: ['10.0.0.0/33'] });
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /allowedNetworks/);
      const empty = await server.admin('POST', `/admin/v1/tenants/${tenantId}/keys`, { allowedNetworks: [] });
      assert.equal(empty.status, 400);
      const past = await server.admin('POST', `/admin/v1/tenants/${tenantId}/keys`, { expiresAt: new Date(clock.now().getTime() - 1000).toISOString() });
      assert.equal(past.status, 400);
      assert.match(JSON.stringify(past.body), /expiresAt/);
      const unknownField = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/keys/key_doesnotexist0`, { allowedNetworks: null, color: 'red' });
      assert.equal(unknownField.status, 400);
      const missing = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/keys/key_doesnotexist0`, { allowedNetworks: null });
      assert.equal(missing.status, 404);
    });
  });
}
