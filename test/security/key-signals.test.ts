// A stolen bank key is loud (docs/security.md "Key protections"): what stepup learns from each key's own
// traffic — its rate against its baseline, customers it asks about that do not exist, the share of its
// requests that fail — raises one signed `security.key_anomaly` event per signal and window, and,
// when the tenant's policy says so, suspends the key until an admin restores it. Normal traffic
// raises none. Time is the server's injectable clock: a key's history is written by moving it.
// The bookkeeping lives in Redis; the database only records events and audit entries, so this suite
// runs on the embedded database (key-protections.test.ts runs the network checks on both).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, transferBody, eventually, type TestServer } from '../support/test-server.ts';
import { eventSink } from '../support/event-sink.ts';
import { JumpClock } from '../../src/time/clock.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

describe('key signals from a key\'s own traffic', () => {
  const clock = new JumpClock();
  let server: TestServer;
  let sink: Awaited<ReturnType<typeof eventSink>>;
  let securitySink: Awaited<ReturnType<typeof eventSink>>;

  before(async () => {
    server = await startTestServer({ clock: clock.now, authClock: clock.now });
    sink = await eventSink();
    securitySink = await eventSink();
  });
  after(async () => {
    sink.server.close();
    securitySink.server.close();
    await server.close();
  });

  /** A tenant (events to `sink`) with its key and `keyProtection` overrides. */
  const tenantWith = async (keyProtection: Record<string, unknown> = {}, input: Record<string, unknown> = {}) => {
    const tenant = await server.createTenant({ defaultCallbackUrl: sink.url, ...input });
    const current = await server.admin('GET', `/admin/v1/tenants/${tenant.tenantId}/policy`);
    const document = { ...current.body.document, keyProtection: { ...current.body.document.keyProtection, ...keyProtection } };
    const written = await server.admin('PUT', `/admin/v1/tenants/${tenant.tenantId}/policy`, document, { 'if-match': current.headers.get('etag')! });
    assert.equal(written.status, 200, JSON.stringify(written.body));
    return tenant;
  };
  const eventsOf = (received: { body: string }[], keyId: string) =>
    received.map((event) => JSON.parse(event.body)).filter((event) => event.type === 'security.key_anomaly' && event.data.keyId === keyId);
  const audited = async (tenantId: string, action = 'security.key_anomaly') =>
    (await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=${action}`)).body.entries as { subject: string; actor: string; data: Record<string, any> }[];
  /**
   * Outcomes a key's last requests left behind reach Redis with its next request, or a second later:
   * flushed and judged now. A signal they raise is audited by the time this resolves (its event is
   * recorded in the same transaction), so a test asserting "no signal" reads the audit after it.
   */
  const settle = () => server.running.context.keyUsage.settle();
  const lookUp = (client: StepupClient, customerId: string) => client.request('GET', `/v1/customers/${customerId}`);
  const enrollOtp = async (client: StepupClient, customerId: string) => {
    const token = await client.createOtpToken(customerId, { type: 'totp' });
    assert.equal(token.status, 201, JSON.stringify(token.body));
  };

  test('an enumeration burst (customers never enrolled: lookups answered 404, challenges finding nothing to verify) is one signal, within seconds', async () => {
    const { tenantId, keyId, client } = await tenantWith({ unknownCustomersPerWindow: 20 });
    await enrollOtp(client, 'real-1');
    assert.equal((await lookUp(client, 'real-1')).status, 200, 'a customer who exists is no unknown customer');
    for (let i = 0; i < 10; i += 1) {
      const created = await client.createChallenge<any>(transferBody({ customerId: `ghost-c${i}` }));
      assert.equal(created.body.status, 'failed');
    }
    for (let i = 0; i < 9; i += 1) assert.equal((await lookUp(client, `ghost-l${i}`)).status, 404);
    // The same unknown customer asked again is not another one.
    assert.equal((await lookUp(client, 'ghost-l0')).status, 404);
    await settle();
    assert.deepEqual(await audited(tenantId), [], '19 distinct unknown customers: under the threshold of 20');
    assert.equal(eventsOf(sink.received, keyId).length, 0);

    const started = performance.now();
    for (let i = 9; i < 40; i += 1) assert.equal((await lookUp(client, `ghost-l${i}`)).status, 404, 'signalled, not refused: suspension is off');
    const [event] = await eventually(async () => (eventsOf(sink.received, keyId).length > 0 ? eventsOf(sink.received, keyId) : undefined), 10_000, 'the enumeration signal');
    assert.ok(performance.now() - started < 10_000, 'within seconds of the burst');
    assert.equal(event.data.signal, 'customer_enumeration');
    assert.equal(event.data.refused, false);
    assert.equal(event.data.keySuspended, false);
    assert.ok(event.data.measured.unknownCustomers >= 20 && event.data.measured.threshold === 20, JSON.stringify(event.data.measured));
    await settle();
    const entries = await audited(tenantId);
    assert.equal(entries.length, 1, 'one signal for the whole burst');
    assert.equal(eventsOf(sink.received, keyId).length, 1);
    assert.deepEqual(entries.map((entry) => [entry.subject, entry.data.signal]), [[keyId, 'customer_enumeration']]);
    assert.match(await server.metrics(), /stepup_key_anomalies_total\{signal="customer_enumeration"\} 1/);
  });

  test('a signal is raised once an hour by the server\'s clock: a burst 59 minutes later raises none, one 61 minutes later another', async () => {
    const { tenantId, keyId, client } = await tenantWith({ unknownCustomersPerWindow: 20 });
    const burst = async (tag: string) => {
      for (let i = 0; i < 25; i += 1) assert.equal((await lookUp(client, `ghost-${tag}${i}`)).status, 404);
      await settle();
    };
    const raisedAt = async () => (await audited(tenantId)).map((entry) => [entry.data.signal, entry.data.observedAt]);
    const hourStarted = clock.now().getTime();
    await burst('first-');
    assert.equal((await raisedAt()).length, 1, 'the first burst: one signal');
    clock.advance(59 * 60_000);
    await burst('later-');
    assert.equal((await raisedAt()).length, 1, '59 minutes later: within the hour, none');
    clock.advance(2 * 60_000);
    await burst('next-hour-');
    const raised = await raisedAt();
    assert.equal(raised.length, 2, '61 minutes after the first: another');
    assert.ok(raised.every(([signal]) => signal === 'customer_enumeration'), JSON.stringify(raised));
    assert.ok(raised.some(([, observedAt]) => Date.parse(observedAt) >= hourStarted + 61 * 60_000), JSON.stringify(raised));
    await eventually(async () => (eventsOf(sink.received, keyId).length === 2 ? true : undefined), 10_000, 'both signals delivered');
  });

  test('a rate far above the key\'s baseline is one signal; a quiet key\'s few requests after days of silence are none', async () => {
    const { tenantId, keyId, client } = await tenantWith({ rateSpikeMinimumPerMinute: 30 });
    await enrollOtp(client, 'steady-1');
    // Two hours of history: a request every six minutes.
    for (let i = 0; i < 20; i += 1) {
      assert.equal((await lookUp(client, 'steady-1')).status, 200);
      clock.advance(6 * 60_000);
    }
    // Three days of silence, then a handful: far above the decayed baseline, under the minimum volume.
    clock.advance(3 * 86_400_000);
    for (let i = 0; i < 10; i += 1) assert.equal((await lookUp(client, 'steady-1')).status, 200);
    await settle();
    assert.deepEqual(await audited(tenantId), []);
    assert.equal(eventsOf(sink.received, keyId).length, 0);

    // Then 60 requests within a minute: from about a request an hour to 60 a minute.
    for (let i = 0; i < 60; i += 1) assert.equal((await lookUp(client, 'steady-1')).status, 200);
    const [event] = await eventually(async () => (eventsOf(sink.received, keyId).length > 0 ? eventsOf(sink.received, keyId) : undefined), 10_000, 'the rate signal');
    assert.equal(event.data.signal, 'rate_spike');
    assert.ok(event.data.measured.ratePerMinute >= 30, JSON.stringify(event.data.measured));
    assert.ok(event.data.measured.ratePerMinute >= 10 * event.data.measured.baselinePerMinute, JSON.stringify(event.data.measured));
    await settle();
    assert.equal((await audited(tenantId)).length, 1);
    assert.equal(eventsOf(sink.received, keyId).length, 1);
  });

  test('a high share of failing requests is signalled to the tenant\'s securityCallbackUrl, not its callback URL', async () => {
    const { tenantId, keyId, client } = await tenantWith({ failureMinimumRequests: 20, failureRatio: 0.5 }, { securityCallbackUrl: securitySink.url });
    assert.equal((await server.admin('GET', `/admin/v1/tenants/${tenantId}`)).body.securityCallbackUrl, securitySink.url);
    for (let i = 0; i < 10; i += 1) assert.equal((await client.createChallenge(transferBody({ customerId: `ok-${i}` }, '10000'))).status, 201);
    // Expected refusals (422 weak secret) are not failures.
    for (let i = 0; i < 10; i += 1) assert.equal((await client.request('PUT', `/v1/customers/weak-${i}/knowledge-secret`, { secret: '111111' })).status, 422);
    for (let i = 0; i < 9; i += 1) assert.equal((await client.request('POST', '/v1/challenges', { customerId: 'x' })).status, 400);
    await settle();
    assert.deepEqual(await audited(tenantId), [], '9 failures of 29 requests');
    assert.equal(eventsOf(securitySink.received, keyId).length, 0);
    for (let i = 0; i < 30; i += 1) assert.equal((await client.request('POST', '/v1/challenges', { customerId: 'x' })).status, 400);
    const [event] = await eventually(async () => (eventsOf(securitySink.received, keyId).length > 0 ? eventsOf(securitySink.received, keyId) : undefined), 10_000, 'the failure signal');
    assert.equal(event.data.signal, 'failure_ratio');
    assert.ok(event.data.measured.failureRatio >= 0.5, JSON.stringify(event.data.measured));
    assert.match(securitySink.received.find((received) => received.body.includes(keyId))!.headers['webhook-signature']!, /^v1,/);
    await settle();
    assert.equal((await audited(tenantId)).length, 1);
    assert.equal(eventsOf(securitySink.received, keyId).length, 1);
    assert.equal(eventsOf(sink.received, keyId).length, 0, 'security events go to the security URL alone');
    // Validated like the callback URL (the SSRF guard): no private address without the loopback allowance.
    const refused = await server.admin('PUT', `/admin/v1/tenants/${tenantId}`, { securityCallbackUrl: 'http://10.0.0.8/hook' });
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
  });

  test('with suspendOnStrongSignal, an enumeration suspends the key (401 on every process) until an admin restores it', async () => {
    const { tenantId, keyId, client } = await tenantWith({ unknownCustomersPerWindow: 10, suspendOnStrongSignal: true });
    let refusedAt = -1;
    for (let i = 0; i < 40 && refusedAt < 0; i += 1) {
      const answer = await lookUp(client, `probe-${i}`);
      if (answer.status === 401) refusedAt = i;
      else assert.equal(answer.status, 404);
    }
    assert.ok(refusedAt >= 10, `suspended once the threshold was crossed (request ${refusedAt})`);
    const [event] = eventsOf(sink.received, keyId);
    assert.equal(event.data.signal, 'customer_enumeration');
    assert.equal(event.data.keySuspended, true);
    const listed = (await server.admin('GET', `/admin/v1/tenants/${tenantId}/keys`)).body.keys.find((key: any) => key.keyId === keyId);
    assert.equal(listed.suspendedBy, 'customer_enumeration');
    assert.ok(listed.suspendedAt);
    // Its uses while suspended are refused like a revoked key's, and signalled once per network.
    for (let i = 0; i < 3; i += 1) assert.equal((await lookUp(client, 'probe-x')).status, 401);
    await eventually(async () => (eventsOf(sink.received, keyId).some((e) => e.data.signal === 'suspended_key_used') ? true : undefined), 10_000, 'the refused use');
    assert.equal(eventsOf(sink.received, keyId).filter((e) => e.data.signal === 'suspended_key_used').length, 1);
    const suspension = await audited(tenantId, 'key.suspended');
    assert.deepEqual(suspension.map((entry) => [entry.actor, entry.data.keyId, entry.data.signal]), [['system:key-watch', keyId, 'customer_enumeration']]);

    // Restored by an admin (audited): it works again at once.
    const restored = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/keys/${keyId}`, { suspended: false });
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.equal(restored.body.suspendedAt, null);
    assert.equal((await client.createChallenge(transferBody({ customerId: 'after-restore' }, '10000'))).status, 201);
    assert.equal((await audited(tenantId, 'key.restored')).length, 1);
    // An admin may suspend a key by hand too.
    const suspended = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/keys/${keyId}`, { suspended: true });
    assert.equal(suspended.body.suspendedBy, 'admin');
    assert.equal((await client.createChallenge(transferBody({ customerId: 'after-restore' }, '10000'))).status, 401);
  });

  test('normal traffic raises no signal: enrollment at full speed, then a steady mix over many customers that exist', async () => {
    const { tenantId, keyId, client } = await tenantWith();
    const before = await server.metrics();
    // A new key's first burst is its own baseline (as chaos/bank-load.ts enrolls its customers).
    const customers = Array.from({ length: 60 }, (_, i) => `cust-${i}`);
    for (let start = 0; start < customers.length; start += 10) await Promise.all(customers.slice(start, start + 10).map((id) => enrollOtp(client, id)));
    // Then two requests a second by the server's clock for five minutes: challenges (most need no
    // step-up, some go to the customer's token), reads of them, enrollment checks; a few customers
    // not enrolled yet, a few weak secrets refused.
    let lastChallenge = '';
    for (let i = 0; i < 600; i += 1) {
      const customerId = customers[i % customers.length]!;
      const kind = i % 10;
      let status: number;
      if (kind < 5) {
        const created = await client.createChallenge<{ id: string }>(transferBody({ customerId }, kind === 0 ? '3500000' : '10000'));
        status = created.status;
        lastChallenge = created.body.id;
      } else if (kind < 8) status = (await lookUp(client, customerId)).status;
      else if (kind === 8) status = (await client.getChallenge(lastChallenge)).status;
      else status = (await client.request('PUT', `/v1/customers/${customerId}/knowledge-secret`, { secret: i % 20 === 9 ? '123456' : '20478153' })).status;
      if (i % 100 === 0) assert.equal((await lookUp(client, `new-customer-${i}`)).status, 404);
      assert.ok(status < 500, `request ${i}: ${status}`);
      clock.advance(500);
    }
    await settle();
    assert.deepEqual(eventsOf(sink.received, keyId), []);
    assert.deepEqual(await audited(tenantId), []);
    const count = (text: string) => [...text.matchAll(/^stepup_key_anomalies_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    assert.equal(count(await server.metrics()), count(before));
  });
});
