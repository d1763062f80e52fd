// test: slow, about 20 s
// OWASP API6:2023 Unrestricted access to sensitive business flows: the phone confirmation and the
// daily cumulative total, attacked with concurrency on real PostgreSQL (PGlite is one session, so
// it cannot race). Everything goes through the real server over HTTP and the telephony simulator.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { dbKinds } from '../support/databases.ts';
import { generateOcra } from '../../src/channels/otp/ocra.ts';
import { deriveOcraQuestion, type OcraQuestionDerivation } from '../../src/channels/otp/ocra-question.ts';
import { standardKey20, standardKey32 } from '../otp/rfc-keys.ts';
import { createOtpChallenge, hex, importToken } from '../otp-channel/otp-support.ts';
import { StepupClient } from '../../src/client/stepup-client.ts';
import { answerFor, arsChallenge, callsTo, enroll, fastArs, othersWaitForTheLine, press, setArsPolicy, startArsWorld, waitForStatus, wrongAnswerFor, type ArsWorld, type SimFixture } from '../ars/ars-fixture.ts';
import { liveCalls, watchLiveCalls } from './live-call-watch.ts';

/** The call `sid` once it asks again or has ended, after `digits` were pressed. */
async function pressOn(sim: SimFixture, number: string, call: any, digits: string): Promise<any> {
  const seen = call.transcript.length;
  await press(sim, call.sid, digits);
  return eventually(async () => {
    const now = (await callsTo(sim, number)).find((c) => c.sid === call.sid);
    return now && now.transcript.length > seen && (now.awaitingDigits || now.endedAt) ? now : undefined;
  }, 10_000, 'the call to ask again or end');
}

/** A call to `number` that asks for digits and is not in `used`, or undefined after `waitMs`. */
async function newAskingCall(sim: SimFixture, number: string, used: Set<string>, waitMs: number): Promise<any | undefined> {
  return eventually(async () => (await callsTo(sim, number)).find((c) => c.awaitingDigits && !used.has(c.sid)), waitMs, 'a new call').catch(() => undefined);
}

describe('API6 sensitive business flows: the ARS lock and live calls (postgres)', () => {
  let world: ArsWorld;
  before(async () => {
    world = await startArsWorld({ db: 'postgres' });
  });
  after(() => world.close());

  test('three challenges at once: 2 + 2 + 1 wrong answers lock ARS, and right digits afterwards approve nothing', async () => {
    const { client, sim } = world;
    const number = '+8223187700';
    const customerId = 'cust-api6-lock';
    await enroll(client, customerId, number);
    const watch = watchLiveCalls(sim, number);
    try {
      const challenges = await Promise.all([0, 1, 2].map(() => arsChallenge(client, customerId)));
      // The attacker spreads the wrong answers over as many live calls as it can get, keeping each
      // call open for a right answer later; when no other call rings, it frees the line.
      const used = new Set<string>();
      for (const wrongs of [2, 2, 1]) {
        const call = await newAskingCall(sim, number, used, 20_000);
        assert.ok(call, 'a call rings for the next wrong answers');
        used.add(call.sid);
        let now = call;
        for (let i = 0; i < wrongs && now.awaitingDigits; i += 1) now = await pressOn(sim, number, now, wrongAnswerFor(now.prompt));
        // Another call rings, or none can while this one lives (the other challenges wait for the line).
        const another = async () => ((await callsTo(sim, number)).some((c) => c.awaitingDigits && !used.has(c.sid)) ? 'rings' : (await othersWaitForTheLine(world.server, challenges.map((c) => c.id), now.sid)) ? 'none' : undefined);
        if (wrongs === 2 && now.awaitingDigits && (await eventually(another, 20_000, 'another call, or every other challenge waiting for the line')) === 'none') {
          await fetch(`${sim.url}/sim/calls/${now.sid}/hangup`, { method: 'POST' });
        }
      }
      // Five failures: locked. Right digits on every call still asking, all at once.
      const asking = (await callsTo(sim, number)).filter((c) => c.awaitingDigits);
      await Promise.all(asking.map((c) => press(sim, c.sid, answerFor(c.prompt))));
      const ended = await Promise.all(challenges.map((c) => waitForStatus(client, c.id, 20_000)));
      assert.deepEqual(ended.filter((c) => c.status === 'approved').map((c) => c.id), [], 'no challenge is approved once ARS is locked');
      const summary = await client.request<any>('GET', `/v1/customers/${customerId}`);
      assert.equal(summary.body.ars.locked, true);
      for (const c of asking) {
        const call = await eventually(async () => (await callsTo(sim, number)).find((x) => x.sid === c.sid && x.endedAt));
        assert.ok(call.transcript.some((text: string) => text.includes('phone confirmation is now locked')), 'a live call of a locked customer ends with the locked message');
      }
      assert.equal(await watch.stop(), 1, 'never more than one live call to the customer');
    } finally {
      await watch.stop();
    }
  });

  test('call bombing: many challenges for one customer ring one call at a time, each in turn', async () => {
    const { client, sim } = world;
    const number = '+8223187701';
    const customerId = 'cust-api6-bomb';
    await enroll(client, customerId, number);
    const watch = watchLiveCalls(sim, number);
    try {
      const challenges = await Promise.all(Array.from({ length: 5 }, () => arsChallenge(client, customerId)));
      // The customer answers each call as it comes; the queued challenges are called in turn.
      const used = new Set<string>();
      for (let i = 0; i < challenges.length; i += 1) {
        const call = await newAskingCall(sim, number, used, 20_000);
        assert.ok(call, `call ${i + 1} rings`);
        used.add(call.sid);
        assert.equal((await liveCalls(sim, number)).length, 1, 'only this call is live');
        await press(sim, call.sid, answerFor(call.prompt));
      }
      const ended = await Promise.all(challenges.map((c) => waitForStatus(client, c.id, 20_000)));
      assert.deepEqual(ended.map((c) => c.status), challenges.map(() => 'approved'));
      assert.equal((await callsTo(sim, number)).length, challenges.length, 'one call per challenge');
      assert.equal(await watch.stop(), 1, 'never more than one live call to the customer');
    } finally {
      await watch.stop();
    }
  });

  test('a challenge whose call cannot be placed before it expires ends as another_call_in_progress', async () => {
    const { server, sim } = world;
    // The shortest lifetime (30 s) is shorter than ringing (5 s) plus the call window (30 s): a
    // challenge that finds the line busy can never be called in time, so it fails at once.
    const tenant = await server.createTenant({ bankName: 'Short Bank' });
    await setArsPolicy(server, tenant.tenantId, { ...fastArs, ringTimeoutSeconds: 5 }, { challengeTtlSeconds: 30 });
    const client: StepupClient = tenant.client;
    const number = '+8223187702';
    const customerId = 'cust-api6-late';
    await enroll(client, customerId, number);
    const [first, second] = await Promise.all([arsChallenge(client, customerId), arsChallenge(client, customerId)]);
    const failed = await eventually(async () => {
      const both = await Promise.all([first, second].map(async (c) => (await client.getChallenge<any>(c.id)).body));
      return both.find((c) => c.status === 'failed');
    }, 10_000, 'the second challenge to fail');
    assert.equal(failed.result.reason, 'another_call_in_progress');
    const other = [first, second].find((c) => c.id !== failed.id)!;
    const call = await eventually(async () => (await callsTo(sim, number)).find((c) => c.awaitingDigits));
    await press(sim, call.sid, answerFor(call.prompt));
    assert.equal((await waitForStatus(client, other.id)).status, 'approved');
    assert.equal((await callsTo(sim, number)).length, 1, 'the failed challenge never rang');
  });

  test('concurrent transfers over HTTP: exactly those past the daily cumulative threshold need step-up', async () => {
    // test/foundation/race.test.ts races the service directly from two processes; this is the
    // same attack as a client makes it: many requests at once, each too small to need step-up.
    // 700,000 KRW each against the 3,000,000 threshold: the first four sum to 2,800,000, the
    // fifth reaches 3,500,000, so exactly four may be not_required, whatever order they land in.
    const { client } = world;
    const customers = Array.from({ length: 6 }, (_, i) => `cust-api6-split-${i}`);
    const created = await Promise.all(
      customers.flatMap((customerId) => Array.from({ length: 8 }, () => client.createChallenge<any>(transferBody({ customerId, channels: ['otp'] }, '700000')))),
    );
    for (const response of created) assert.equal(response.status, 201, JSON.stringify(response.body));
    for (const [index, customerId] of customers.entries()) {
      const statuses = created.slice(index * 8, index * 8 + 8).map((response) => response.body.status);
      assert.equal(statuses.filter((status) => status === 'not_required').length, 4, `${customerId}: ${statuses.join(', ')}`);
      const stepUp = created.slice(index * 8, index * 8 + 8).filter((response) => response.body.status !== 'not_required');
      for (const response of stepUp) {
        assert.equal(response.body.decision.stepUpRequired, true);
        assert.ok(response.body.decision.reasons.includes('daily_cumulative_threshold'), JSON.stringify(response.body.decision));
      }
    }
  });
});

// M2 (docs/security.md): a transaction-linked code binds the payee *and* the amount by default. Malware
// that lets the customer compute a code for a small transfer must not get a large one to the same
// payee approved; a token that binds the payee only is imported only where the policy allows it.
for (const db of dbKinds) {
  describe(`API6 sensitive business flows: OCRA codes bind the amount (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db });
    });
    after(() => server.close());

    const suite = 'OCRA-1:HOTP-SHA256-8:C-QN16';
    const account = '110-123-456789';
    /** What the customer's token answers for a transfer of `amount` to the payee, by the token's own derivation. */
    const codeFor = (token: { questionDerivation: OcraQuestionDerivation }, amount: string) => {
      const question = deriveOcraQuestion({ suite, derivation: token.questionDerivation, payeeAccount: account, amountMinorUnits: amount });
      assert.ok(question.ok);
      return generateOcra({ suite, key: standardKey32, question: question.question, counter: 0 });
    };

    test('M2: a code computed for 5,000,000 KRW does not approve 90,000,000 KRW to the same payee; the token listing shows the binding', async () => {
      const { client } = await server.createTenant();
      // Imported without naming a derivation: the default for a suite that can carry the amount.
      const token = await importToken(client, 'cust-m2', { type: 'ocra', suite, secretHex: hex(standardKey32) });
      // The customer computes a code for the 5,000,000 KRW transfer they believe they make, and
      // malware submits it for 90,000,000 KRW to the same payee.
      const smallCode = codeFor(token, '5000000');
      const large = await createOtpChallenge(client, 'cust-m2', account, '90000000');
      const attacked = await client.submitOtp<any>(large.id, smallCode);
      assert.equal(attacked.status, 422, `the 5,000,000 KRW code was accepted for 90,000,000 KRW: ${JSON.stringify(attacked.body)}`);
      assert.equal(attacked.body.code, 'invalid_code');
      assert.equal((await client.request<any>('GET', `/v1/challenges/${large.id}`)).body.status, 'pending');
      // The code for the amount actually shown approves it.
      const approved = await client.submitOtp<any>(large.id, codeFor(token, '90000000'));
      assert.equal(approved.body.status, 'approved', JSON.stringify(approved.body));

      assert.equal(token.questionDerivation, 'payee_account_amount');
      assert.deepEqual(token.binds, ['payee_account', 'amount']);
      const listed = (await client.listOtpTokens<any>('cust-m2')).body.tokens;
      assert.deepEqual(listed.map((t: any) => [t.questionDerivation, t.binds]), [['payee_account_amount', ['payee_account', 'amount']]]);
    });

    test('M2: a payee-only token is imported only when the policy allows it (channels.otp.allowPayeeOnlyTokens)', async () => {
      const { client, tenantId } = await server.createTenant();
      const secretHex = hex(standardKey32);
      for (const body of [
        { type: 'ocra', suite, secretHex, questionDerivation: 'payee_account' },
        // A suite too short for the amount can only bind the payee.
        { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', secretHex: hex(standardKey20) },
      ]) {
        const refused = await client.createOtpToken<any>('cust-m2-payee', body);
        assert.equal(refused.status, 422, `${body.suite}: ${JSON.stringify(refused.body)}`);
        assert.equal(refused.body.code, 'payee_only_token_not_allowed');
      }
      assert.deepEqual((await client.listOtpTokens<any>('cust-m2-payee')).body, { tokens: [] });

      const current = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
      assert.equal(current.body.document.channels.otp.allowPayeeOnlyTokens, false, 'off by default');
      const document = { ...current.body.document, channels: { ...current.body.document.channels, otp: { ...current.body.document.channels.otp, allowPayeeOnlyTokens: true } } };
      assert.equal((await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, document, { 'if-match': `"v${current.body.version}"` })).status, 200);
      const allowed = await importToken(client, 'cust-m2-payee', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', secretHex: hex(standardKey20) });
      assert.equal(allowed.questionDerivation, 'payee_account');
      assert.deepEqual(allowed.binds, ['payee_account']);
    });
  });
}
