// OWASP API10:2023 Unsafe consumption of APIs: what stepup reads from Twilio (webhooks, Lookup) and
// from the bank's carrier gateway is untrusted input. Every hostile answer must end in a safe
// verdict — no call, not eligible, a wrong answer, or nothing at all — never a 5xx or an approval.
//
// Already covered elsewhere, not repeated here: forged, unsigned and re-signed webhooks and a
// webhook of another CallSid for a live attempt (test/ars/webhook-security.test.ts); a gateway that
// times out (test/number-intelligence/ars-carrier-gateway-e2e.test.ts); Lookup outages and
// authentication failures (test/number-intelligence/twilio-lookup-source.test.ts).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';
import { CallReconciler } from '../../src/channels/ars/call-reconciler.ts';
import { generateGatewaySecret } from '../../src/telephony/number-intelligence/carrier-gateway-store.ts';
import {
  accountSid, answerFor, arsChallenge, callsTo, enroll, fastArs, postWebhook, press, setArsPolicy, startSim, twilioEnv, waitForAsk, waitForStatus, type SimFixture,
} from '../ars/ars-fixture.ts';
import { assertNeverDialed, configureNumber, putPhone } from '../number-intelligence/ars-e2e-fixture.ts';
import { startGateway, type GatewayFixture } from '../number-intelligence/gateway-fixture.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import { startHostileLookup, type HostileLookup } from './hostile-lookup.ts';
import { JumpClock } from '../../src/time/clock.ts';

describe('API10 unsafe consumption: Twilio and the carrier gateway answering with hostile data', () => {
  let sim: SimFixture;
  let lookup: HostileLookup;
  let gateway: GatewayFixture;
  let server: TestServer;
  before(async () => {
    // Gathers wait their full 5 s: the tests post the phone's webhooks themselves meanwhile.
    sim = await startSim({ gatherTimeoutScale: 1 });
    lookup = await startHostileLookup(sim.url);
    gateway = await startGateway(generateGatewaySecret());
    // The SDK reaches "Twilio" through the fake: Lookup as the test says, Calls on to the simulator.
    server = await startTestServer({ env: { ...twilioEnv(sim), TWILIO_API_BASE_URL: lookup.url } });
  });
  after(async () => {
    await server.close();
    await gateway.close();
    await lookup.close();
    await sim.close();
  });

  async function tenant(ars: Record<string, unknown> = {}): Promise<{ tenantId: string; client: StepupClient }> {
    const created = await server.createTenant({ bankName: 'Test Bank' });
    await setArsPolicy(server, created.tenantId, { ...fastArs, ...ars });
    return created;
  }
  const db = () => server.running.context.db;
  const attemptsOf = async (challengeId: string) => (await db().query<any>('SELECT * FROM ars_call_attempts WHERE challenge_id = $1 ORDER BY attempt_number', [challengeId])).rows;
  const failuresOf = async (tenantId: string, customerId: string) =>
    (await db().query<any>('SELECT consecutive_failures FROM ars_customers WHERE tenant_id = $1 AND customer_id = $2', [tenantId, customerId])).rows[0].consecutive_failures;
  const fullwidth = (digits: string) => [...digits].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');

  describe('Twilio webhooks', () => {
    test('signed Gather webhooks with oversize or non-digit Digits: 413 or a wrong answer, never an approval', async () => {
      const { tenantId, client } = await tenant();
      const number = '+8223191001';
      const customerId = 'cust-api10-digits';
      await enroll(client, customerId, number);
      const challenge = await arsChallenge(client, customerId);
      const call = await waitForAsk(sim, number);
      const [attempt] = await attemptsOf(challenge.id);
      const gather = (ask: number) => `/twilio/ars/${tenantId}/${attempt.id}/gather?ask=${ask}`;
      const params = { CallSid: call.sid, AccountSid: accountSid, CallStatus: 'in-progress' };

      // Past the 16 kB body limit, or past 100 parameters: refused before anything is read.
      const huge = await postWebhook(server.url, gather(1), { ...params, Digits: '1'.repeat(20_000) });
      assert.equal(huge.status, 413);
      assert.equal(JSON.parse(huge.text).code, 'payload_too_large');
      const many = await postWebhook(server.url, gather(1), { ...params, Digits: '1', ...Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`X${i}`, 'x'])) });
      assert.equal(many.status, 413, 'too many parameters');
      assert.equal(JSON.parse(many.text).code, 'payload_too_large');
      assert.equal(await failuresOf(tenantId, customerId), 0, 'nothing was counted');

      // The right answer in full-width digits, letters, and 5,000 digits: each is a wrong answer.
      const right = answerFor(call.prompt);
      const hostile = [fullwidth(right), 'abcd', '9'.repeat(5000)];
      for (const [index, digits] of hostile.entries()) {
        const reply = await postWebhook(server.url, gather(index + 1), { ...params, Digits: digits });
        assert.equal(reply.status, 200, `Digits #${index}`);
        assert.equal(await failuresOf(tenantId, customerId), index + 1, `Digits #${index} counted as a wrong answer`);
      }
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'denied');
      assert.equal(done.result.reason, 'too_many_failures');
    });

    test("webhooks naming another tenant's attempt, an unknown attempt or a malformed path change nothing", async () => {
      const victim = await tenant();
      const attacker = await tenant();
      const number = '+8223191002';
      const customerId = 'cust-api10-tenant';
      await enroll(victim.client, customerId, number);
      const challenge = await arsChallenge(victim.client, customerId);
      const call = await waitForAsk(sim, number);
      const [attempt] = await attemptsOf(challenge.id);
      const params = { CallSid: call.sid, AccountSid: accountSid, CallStatus: 'in-progress', Digits: answerFor(call.prompt) };
      // Signed like Twilio (one Twilio account serves every tenant): only the tenant in the path differs.
      const foreignGather = await postWebhook(server.url, `/twilio/ars/${attacker.tenantId}/${attempt.id}/gather?ask=1`, params);
      assert.equal(foreignGather.status, 200);
      assert.match(foreignGather.text, /<Hangup\/>/);
      assert.doesNotMatch(foreignGather.text, /<Say/);
      const foreignAnswer = await postWebhook(server.url, `/twilio/ars/${attacker.tenantId}/${attempt.id}/answer`, { ...params, AnsweredBy: 'human' });
      assert.doesNotMatch(foreignAnswer.text, /<Say/, 'nothing of the transaction is read for another tenant');
      const foreignStatus = await postWebhook(server.url, `/twilio/ars/${attacker.tenantId}/${attempt.id}/status`, { CallSid: call.sid, CallStatus: 'no-answer' });
      assert.equal(foreignStatus.status, 204);
      // An attempt id of the right shape that does not exist.
      const ghost = 'att_AAAAAAAAAAAAAAAAAAAAAA';
      const ghostGather = await postWebhook(server.url, `/twilio/ars/${victim.tenantId}/${ghost}/gather?ask=1`, params);
      assert.equal(ghostGather.status, 200);
      assert.doesNotMatch(ghostGather.text, /<Say/);
      assert.equal((await postWebhook(server.url, `/twilio/ars/${victim.tenantId}/${ghost}/status`, { CallSid: call.sid, CallStatus: 'completed' })).status, 204);
      // Malformed ids and question numbers.
      for (const path of [`/twilio/ars/${victim.tenantId}/not-an-attempt/gather?ask=1`, `/twilio/ars/${victim.tenantId}/${attempt.id}/gather?ask=abc`, `/twilio/ars/${victim.tenantId}/${attempt.id}/gather?ask=0`, `/twilio/ars/${victim.tenantId}/${attempt.id}/gather`]) {
        const reply = await postWebhook(server.url, path, params);
        assert.equal(reply.status, 404, path);
      }
      // The victim's call and challenge are untouched: still asking, one attempt, and it still works.
      const [after] = await attemptsOf(challenge.id);
      assert.deepEqual([after.status, after.ask_seq, after.answers_given], ['answered', 1, 0]);
      assert.equal((await victim.client.getChallenge<any>(challenge.id)).body.status, 'pending');
      await press(sim, call.sid, answerFor(call.prompt));
      assert.equal((await waitForStatus(victim.client, challenge.id)).status, 'approved');
      assert.equal((await attemptsOf(challenge.id)).length, 1, 'the forged no-answer started no retry');
    });
  });

  describe('Lookup answers', () => {
    // forwardingUnknown "reject": only a Lookup that really says "not forwarded" lets a number in.
    const cases: [name: string, reply: { status?: number; contentType?: string; body: string }][] = [
      ['not JSON', { body: '<html>definitely not json' }],
      ['empty object', { body: '{}' }],
      ['null', { body: 'null' }],
      ['wrong types', { body: JSON.stringify({ valid: 'yes', country_code: 7, line_type_intelligence: { type: ['landline'] }, call_forwarding: { call_forwarding_enabled: 'false' } }) }],
      ['forwarding 0', { body: JSON.stringify({ valid: true, country_code: 'KR', call_forwarding: { call_forwarding_enabled: 0, error_code: null } }) }],
      ['a 500 with a "not forwarded" body', { status: 500, body: JSON.stringify({ call_forwarding: { call_forwarding_enabled: false } }) }],
    ];

    test('malformed, incomplete or mistyped Lookup answers are unknown: enrollment refused, no 5xx', async () => {
      const { client } = await tenant({ forwardingUnknown: 'reject' });
      // The control: an honest "not forwarded" from Lookup is accepted, so the refusals below are the answers'.
      await configureNumber(sim, '+8223192000', { callForwarding: false });
      assert.equal((await putPhone(client, 'cust-api10-lookup-ok', '+8223192000')).status, 200);
      for (const [index, [name, reply]] of cases.entries()) {
        const number = `+822319200${index + 1}`;
        lookup.reply(number, reply);
        const response = await putPhone(client, `cust-api10-lookup-${index}`, number);
        assert.equal(response.status, 422, `${name}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.code, 'call_forwarding_unknown', name);
        assert.ok(lookup.asked.includes(number), `${name}: Lookup was asked`);
        assert.equal((await client.request('GET', `/v1/customers/cust-api10-lookup-${index}`)).status, 404, `${name}: nothing stored`);
      }
    });

    test('Lookup claiming "landline, not forwarded" for a mobile number does not make it callable', async () => {
      const { client } = await tenant();
      const number = '+821023192009';
      lookup.reply(number, { body: JSON.stringify({ valid: true, country_code: 'KR', line_type_intelligence: { type: 'landline', error_code: null }, call_forwarding: { call_forwarding_enabled: false, error_code: null } }) });
      const response = await putPhone(client, 'cust-api10-lookup-mobile', number);
      assert.equal(response.status, 422, JSON.stringify(response.body));
      assert.equal(response.body.code, 'line_type_not_allowed', 'the numbering plan knows 010 is mobile');
    });

    test('a hostile Lookup answer before a call: the challenge fails number_ineligible and nothing is dialed', async () => {
      const { client } = await tenant({ forwardingUnknown: 'reject' });
      const number = '+8223192010';
      await configureNumber(sim, number, { callForwarding: false });
      await enroll(client, 'cust-api10-lookup-call', number);
      lookup.reply(number, { body: '{"call_forwarding": "off"' });
      const challenge = await arsChallenge(client, 'cust-api10-lookup-call');
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.result.reason, 'number_ineligible');
      assert.deepEqual(done.result.details, { reasons: ['call_forwarding_unknown'] });
      await assertNeverDialed(sim, number);
    });
  });

  describe('carrier gateway answers', () => {
    async function gatewayTenant(): Promise<{ tenantId: string; client: StepupClient }> {
      const created = await tenant({ forwardingUnknown: 'reject' });
      const put = await server.admin('PUT', `/admin/v1/tenants/${created.tenantId}/carrier-gateway`, { url: gateway.url, secret: gateway.secret, timeoutMs: 2000 });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      return created;
    }
    const pad = 'x'.repeat(1024 * 1024);
    const cases: [name: string, reply: { status?: number; body?: unknown; rawBody?: string }][] = [
      ['not JSON', { rawBody: 'callForwarding=false' }],
      ['truncated JSON', { rawBody: '{"callForwarding": fal' }],
      ['a huge body (1 MiB) saying "not forwarded"', { rawBody: JSON.stringify({ callForwarding: false, pad }) }],
      ['callForwarding as a string', { body: { callForwarding: 'false' } }],
      ['callForwarding missing', { body: { lineType: 'landline' } }],
      ['a JSON array', { rawBody: '[false]' }],
      ['a 500 saying "not forwarded"', { status: 500, body: { callForwarding: false } }],
    ];

    test('non-JSON, huge, mistyped or failed gateway answers are unknown: enrollment refused, no 5xx', async () => {
      const { client } = await gatewayTenant();
      // The simulator's Lookup cannot tell forwarding for Korea: the gateway's word decides.
      gateway.reply({ body: { callForwarding: false } }, '+8226191000');
      assert.equal((await putPhone(client, 'cust-api10-gw-ok', '+8226191000')).status, 200, 'an honest "not forwarded" is accepted');
      for (const [index, [name, reply]] of cases.entries()) {
        const number = `+822619100${index + 1}`;
        gateway.reply(reply, number);
        const started = Date.now();
        const response = await putPhone(client, `cust-api10-gw-${index}`, number);
        assert.equal(response.status, 422, `${name}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.code, 'call_forwarding_unknown', name);
        assert.ok(Date.now() - started < 5000, `${name}: answered within the gateway timeout`);
        assert.ok(gateway.hits.some((hit) => hit.json?.number === number), `${name}: the gateway was asked`);
      }
    });

    test('a hostile gateway answer before a call: the challenge fails number_ineligible and nothing is dialed', async () => {
      const { client } = await gatewayTenant();
      const number = '+8226191010';
      gateway.reply({ body: { callForwarding: false } }, number);
      await enroll(client, 'cust-api10-gw-call', number);
      gateway.reply({ rawBody: JSON.stringify({ callForwarding: false, pad }) }, number);
      const challenge = await arsChallenge(client, 'cust-api10-gw-call');
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.result.reason, 'number_ineligible');
      assert.deepEqual(done.result.details, { reasons: ['call_forwarding_unknown'] });
      assert.deepEqual(await callsTo(sim, number), []);
    });
  });
});

// L5 (docs/security.md): what Calls.create and Calls fetch answer is checked before it is stored or
// acted on, and the reconciler, which follows calls stepup could not see end, stops after a bound.
describe('API10 unsafe consumption: hostile call resources and the reconciler\'s bound', () => {
  let sim: SimFixture;
  let proxy: HostileLookup;
  let server: TestServer;
  before(async () => {
    sim = await startSim();
    proxy = await startHostileLookup(sim.url);
    server = await startTestServer({ env: { ...twilioEnv(sim), TWILIO_API_BASE_URL: proxy.url } });
  });
  after(async () => {
    await server.close();
    await proxy.close();
    await sim.close();
  });
  const db = () => server.running.context.db;

  test('L5: a 20,000-character call SID from Calls.create is not stored: the attempt ends dial_failed', async () => {
    const { tenantId, client } = await server.createTenant({ bankName: 'Test Bank' });
    await setArsPolicy(server, tenantId, { ...fastArs, callAttempts: 1 });
    const number = '+8223195000';
    await configureNumber(sim, number, { callForwarding: false });
    await enroll(client, 'cust-api10-sid', number);
    const hostileSid = `CA${'f'.repeat(20_000)}`;
    proxy.rewriteCreatedCall(number, (call) => ({ ...call, sid: hostileSid }));
    try {
      const challenge = await arsChallenge(client, 'cust-api10-sid');
      const attempt = await eventually(async () => {
        const rows = (await db().query<any>('SELECT * FROM ars_call_attempts WHERE challenge_id = $1', [challenge.id])).rows;
        return rows[0]?.status === 'ended' ? rows[0] : undefined;
      }, 15_000, 'the attempt to end');
      assert.equal(attempt.end_reason, 'dial_failed');
      // Null, or the call's real SID from the simulator's signed status webhook: never the hostile one.
      assert.ok(attempt.call_sid === null || /^CA[0-9a-f]{32}$/.test(attempt.call_sid), `stored call SID of ${String(attempt.call_sid).length} characters`);
      // Chained or still in the inbox (the sequencer chains it within a second).
      const stored = await db().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT data FROM audit_log UNION ALL SELECT data FROM audit_inbox) AS audit WHERE data::text LIKE '%' || $1 || '%'`,
        [hostileSid.slice(0, 64)],
      );
      assert.equal(stored.rows[0]!.n, 0, 'the hostile SID reached the audit log');
      assert.equal((await waitForStatus(client, challenge.id)).status, 'failed');
    } finally {
      proxy.rewriteCreatedCall(number, null);
    }
  });

  test('L5: a call the provider cannot report on is ended by the reconciler once past its bound, not retried forever', async () => {
    const { tenantId } = await server.createTenant({ bankName: 'Test Bank' });
    const callSid = `CA${randomBytes(16).toString('hex')}`;
    const attemptId = `att_l5${randomBytes(6).toString('hex')}`;
    await db().query(
      `INSERT INTO ars_call_attempts (id, tenant_id, challenge_id, customer_id, attempt_number, status, call_sid, claimed_at)
       VALUES ($1, $2, 'chl_l5reconcile000', 'cust-l5', 1, 'dialing', $3, now() - interval '10 minutes')`,
      [attemptId, tenantId, callSid],
    );
    const ended: string[] = [];
    // Calls are given an hour: none can last that long (a challenge lives at most 600 s).
    const bound = { afterSeconds: 1, giveUpAfterSeconds: 3600 };
    const clock = new JumpClock();
    const reconciler = new CallReconciler(
      {
        db: db(),
        placer: {
          accountId: 'AC-test',
          place: async () => assert.fail('nothing is dialed'),
          hangUp: async () => undefined,
          callsTo: async () => [],
          // The provider answers, but nothing usable: every fetch fails.
          fetchCall: async () => {
            throw new Error('provider error');
          },
        },
        dialer: {
          endAttempt: async (attempt: { id: string }, reason: string) => {
            ended.push(reason);
            return (await db().query<any>(`UPDATE ars_call_attempts SET status = 'ended', end_reason = $2, ended_at = now() WHERE id = $1 AND status <> 'ended' RETURNING *`, [attempt.id, reason])).rows[0] ?? null;
          },
          afterAttemptEnded: async () => false,
        } as never,
        scheduler: { ensure: async () => false } as never,
        logger: server.running.context.logger,
        metrics: { reconciled: () => undefined, reconcileRan: () => undefined } as never,
        clock: clock.now,
      },
      bound,
    );
    const status = async () => (await db().query<any>('SELECT status, end_reason FROM ars_call_attempts WHERE id = $1', [attemptId])).rows[0];
    // Within the bound: the failed fetch is retried on a later run.
    await reconciler.run();
    assert.deepEqual(await status(), { status: 'dialing', end_reason: null });
    // Past the bound (claimed longer ago than any call can last, by the reconciler's clock): ended,
    // and never looked at again.
    clock.advance(2 * 3600_000);
    assert.equal((await reconciler.run()).attempt_closed, 1);
    assert.deepEqual(await status(), { status: 'ended', end_reason: 'status_unknown' });
    assert.deepEqual(ended, ['status_unknown']);
    await reconciler.run();
    assert.deepEqual(ended, ['status_unknown'], 'looked at again after it ended');
  });
});
