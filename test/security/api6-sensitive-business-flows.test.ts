// OWASP API6:2023 Unrestricted access to sensitive business flows: the phone confirmation and the
// daily cumulative total, attacked with concurrency on real PostgreSQL (PGlite is one session, so
// it cannot race). Everything goes through the real server over HTTP and the telephony simulator.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, transferBody } from '../support/test-server.ts';
import { StepupClient } from '../../src/client/stepup-client.ts';
import { answerFor, arsChallenge, callsTo, enroll, fastArs, press, setArsPolicy, startArsWorld, waitForStatus, wrongAnswerFor, type ArsWorld, type SimFixture } from '../ars/ars-fixture.ts';
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
        if (wrongs === 2 && now.awaitingDigits && !(await newAskingCall(sim, number, used, 1500))) {
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
