// test: slow, about 36 s
// Calls that reach nobody, machines, and challenges that end during a call (docs/ars-channel.md steps 1 and 5).
// Retry delays are the policy's, scaled by ARS_RETRY_DELAY_SCALE=0.01 (30 s → 300 ms).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { eventually } from '../support/test-server.ts';
import { expiryJobId } from '../../src/jobs/queue-names.ts';
import { answerFor, arsChallenge, callsTo, enroll, placeCallJobState, press, simJson, startArsWorld, statusCallbacksAnswered, waitForAsk, waitForStatus, type ArsWorld } from './ars-fixture.ts';

for (const db of dbKinds) {
  describe(`ARS call outcomes (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db });
    });
    after(() => world.close());
    let line = 0;
    const nextNumber = () => `+822313${String(3460 + line++).padStart(4, '0')}`;
    const configure = (number: string, answer: string) => simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(number)}`, { answer });

    test('no answer, then the retry is answered and approved', async () => {
      const { client, sim } = world;
      const number = nextNumber();
      await enroll(client, 'cust-retry', number);
      await configure(number, 'no-answer');
      const challenge = await arsChallenge(client, 'cust-retry');
      await eventually(async () => ((await callsTo(sim, number))[0]?.status === 'no-answer' ? true : undefined));
      await configure(number, 'human');
      const call = await waitForAsk(sim, number, 1);
      await press(sim, call.sid, answerFor(call.prompt));
      assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
      assert.equal((await callsTo(sim, number)).length, 2);
    });

    test('silence: asked once more, then goodbye; the next attempt is answered', async () => {
      const { client, sim } = world;
      const number = nextNumber();
      await enroll(client, 'cust-silent', number);
      const challenge = await arsChallenge(client, 'cust-silent');
      // Asked twice, 5 s of silence each (the flow's own gather timeout), then goodbye.
      const silent = await eventually(async () => ((await callsTo(sim, number))[0]?.status === 'completed' ? (await callsTo(sim, number))[0] : undefined), 40_000, 'the silent call to end');
      const prompts = silent.transcript.filter((text: string) => text.startsWith('To approve'));
      assert.equal(prompts.length, 2, 'the question is asked twice');
      assert.equal(prompts[0], prompts[1], 'with the same positions');
      assert.match(silent.transcript.at(-2), /did not receive an answer, so the request has not been approved/);
      const call = await waitForAsk(sim, number, 1);
      await press(sim, call.sid, answerFor(call.prompt));
      assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
    });

    test('busy on every attempt: failed / unreachable after callAttempts calls', async () => {
      const { client, sim } = world;
      const number = nextNumber();
      await enroll(client, 'cust-busy', number);
      await configure(number, 'busy');
      const challenge = await arsChallenge(client, 'cust-busy');
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.result.reason, 'unreachable');
      const calls = await callsTo(sim, number);
      assert.deepEqual(calls.map((call: any) => call.status), ['busy', 'busy', 'busy']);
    });

    test('an answering machine is hung up on with nothing read, and retried', async () => {
      const { client, sim } = world;
      const number = nextNumber();
      await enroll(client, 'cust-machine', number);
      await configure(number, 'machine');
      const challenge = await arsChallenge(client, 'cust-machine');
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.result.reason, 'unreachable');
      const calls = await callsTo(sim, number);
      assert.equal(calls.length, 3);
      for (const call of calls) {
        assert.equal(call.answeredBy, 'machine_start');
        assert.deepEqual(call.transcript, [], 'nothing was read to the machine');
      }
    });

    test('expiry during the call hangs it up, and no retry follows', async () => {
      const { client, sim, server } = world;
      const number = nextNumber();
      await enroll(client, 'cust-expiry', number);
      const challenge = await arsChallenge(client, 'cust-expiry');
      await waitForAsk(sim, number);
      // Make the challenge due now and wake its expiry job: the real expiry worker ends it.
      await server.running.context.db.query('UPDATE challenges SET expires_at = now() WHERE id = $1', [challenge.id]);
      await (await server.running.context.queues.challengeExpiry.getJob(expiryJobId(challenge.id)))!.promote();
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'expired');
      const call = await eventually(async () => ((await callsTo(sim, number))[0]?.status === 'completed' ? (await callsTo(sim, number))[0] : undefined));
      assert.equal(call.awaitingDigits, false);
      // The call's final status callback is where a retry would be queued: once stepup answered it,
      // attempt 2 is queued (a delayed job) or never will be.
      await statusCallbacksAnswered(sim, call.sid);
      assert.equal(await placeCallJobState(server, challenge.id, 2), 'absent', 'no second attempt queued after the end');
      assert.equal((await callsTo(sim, number)).length, 1, 'no new attempt after the end');
    });

    test('cancel during the call hangs it up and no retry follows', async () => {
      const { client, sim, server } = world;
      const number = nextNumber();
      await enroll(client, 'cust-cancel', number);
      const challenge = await arsChallenge(client, 'cust-cancel');
      const asking = await waitForAsk(sim, number);
      const canceled = await client.cancelChallenge<any>(challenge.id);
      assert.equal(canceled.body.status, 'canceled');
      const call = await eventually(async () => ((await callsTo(sim, number))[0]?.status === 'completed' ? (await callsTo(sim, number))[0] : undefined));
      assert.equal(call.sid, asking.sid);
      await statusCallbacksAnswered(sim, call.sid);
      assert.equal(await placeCallJobState(server, challenge.id, 2), 'absent', 'no second attempt queued after the cancel');
      assert.equal((await callsTo(sim, number)).length, 1);
      assert.equal((await client.getChallenge<any>(challenge.id)).body.status, 'canceled');
    });

  });
}

for (const db of dbKinds) {
  describe(`ARS call canceled while ringing (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db, sim: { ringDelayMs: 5000 } });
    });
    after(() => world.close());

    test('the ringing call is canceled (Calls update) before anyone answers', async () => {
      const { client, sim } = world;
      const number = '+8223143460';
      await enroll(client, 'cust-ringing', number);
      const challenge = await arsChallenge(client, 'cust-ringing');
      await eventually(async () => ((await callsTo(sim, number))[0]?.status === 'ringing' ? true : undefined));
      await client.cancelChallenge(challenge.id);
      const call = await eventually(async () => {
        const first = (await callsTo(sim, number))[0];
        return first && first.status !== 'ringing' ? first : undefined;
      }, 3000);
      assert.equal(call.status, 'canceled');
      assert.deepEqual(call.transcript, []);
    });
  });
}
