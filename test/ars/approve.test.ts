// The call end to end through the simulator: enrollment, the transaction read aloud, the right
// digits at the asked positions approve the challenge.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { answerFor, arsChallenge, enroll, positionsHeard, press, seoulLandline, startArsWorld, waitForAsk, waitForStatus, type ArsWorld } from './ars-fixture.ts';

for (const db of dbKinds) {
  describe(`ARS call approves with the right digits (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db });
    });
    after(() => world.close());

    test('the customer hears the transaction and answers the asked digits', async () => {
      const { client, sim } = world;
      await enroll(client, 'cust-approve');
      const challenge = await arsChallenge(client, 'cust-approve');
      assert.equal(challenge.channelDetails.phone, '+82 2-***-3456');
      const call = await waitForAsk(sim, seoulLandline);
      const positions = positionsHeard(call.prompt);
      assert.equal(positions.length, 4);
      assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
      assert.ok(call.transcript.some((line: string) => line.includes('Test Bank')), 'greeting names the bank');
      assert.ok(call.transcript.some((line: string) => line.includes('three million five hundred thousand won')), 'amount in words');
      await press(sim, call.sid, answerFor(call.prompt));
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'approved');
      assert.equal(done.result.reason, 'knowledge_verified');
      assert.equal(done.result.channel, 'ars');
      const metrics = await world.server.metrics();
      assert.match(metrics, /stepup_ars_answers_total\{result="right"\} 1/);
    });
  });
}
