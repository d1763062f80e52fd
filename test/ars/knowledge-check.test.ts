// The knowledge check (docs/ars-channel.md steps 3–4): a wrong answer gets new positions, failures add up across
// calls until ARS locks, `*` reports fraud, `0` repeats the details.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { eventually, transferBody } from '../support/test-server.ts';
import {
  answerFor, arsChallenge, callsTo, enroll, positionsHeard, press, pressAndWaitNext, seoulLandline, startArsWorld, waitForAsk, waitForStatus, wrongAnswerFor, type ArsWorld,
} from './ars-fixture.ts';

for (const db of dbKinds) {
  describe(`ARS knowledge check (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db });
    });
    after(() => world.close());
    // Each test uses its own number so calls do not mix.
    let line = 0;
    const nextNumber = () => `+822312${String(3460 + line++).padStart(4, '0')}`;

    test('wrong digits, then a new set of positions, then the right digits', async () => {
      const { client, sim } = world;
      const number = nextNumber();
      await enroll(client, 'cust-wrong-right', number);
      const challenge = await arsChallenge(client, 'cust-wrong-right');
      const first = await waitForAsk(sim, number);
      const second = await pressAndWaitNext(sim, first, wrongAnswerFor(first.prompt), number);
      assert.ok(second.transcript.some((text: string) => text.includes('not correct')));
      assert.notDeepEqual(positionsHeard(second.prompt), positionsHeard(first.prompt), 'a new set is asked');
      await press(sim, second.sid, answerFor(second.prompt));
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'approved');
      const summary = await client.request<any>('GET', '/v1/customers/cust-wrong-right');
      assert.equal(summary.body.ars.consecutiveFailures, 0, 'a right answer resets the count');
    });

    test('5 failures across two calls lock ARS until an admin unlocks it', async () => {
      const { client, sim, server, tenantId } = world;
      const number = nextNumber();
      await enroll(client, 'cust-lock', number);
      // Call 1: three wrong answers (maxAnswersPerCall) end the challenge.
      const one = await arsChallenge(client, 'cust-lock');
      let call = await waitForAsk(sim, number, 0);
      for (let i = 0; i < 3; i += 1) call = await pressAndWaitNext(sim, call, wrongAnswerFor(call.prompt), number, 0);
      const first = await waitForStatus(client, one.id);
      assert.equal(first.status, 'denied');
      assert.equal(first.result.reason, 'too_many_failures');
      assert.equal((await client.request<any>('GET', '/v1/customers/cust-lock')).body.ars.locked, false);
      // Call 2: the count goes on (3 → 5); the fifth failure locks.
      const two = await arsChallenge(client, 'cust-lock');
      call = await waitForAsk(sim, number, 1);
      call = await pressAndWaitNext(sim, call, wrongAnswerFor(call.prompt), number, 1);
      call = await pressAndWaitNext(sim, call, wrongAnswerFor(call.prompt), number, 1);
      assert.ok(call.transcript.some((text: string) => text.includes('phone confirmation is now locked')));
      const second = await waitForStatus(client, two.id);
      assert.equal(second.status, 'denied');
      assert.equal(second.result.reason, 'too_many_failures');
      const summary = await client.request<any>('GET', '/v1/customers/cust-lock');
      assert.equal(summary.body.ars.locked, true);
      assert.equal(summary.body.ars.consecutiveFailures, 5);
      // Locked: ARS is not offered.
      const refused = await client.createChallenge<any>(transferBody({ customerId: 'cust-lock', channels: ['ars'] }));
      assert.equal(refused.body.status, 'failed');
      assert.equal(refused.body.result.reason, 'no_eligible_channel');
      // An operator unlocks; the next challenge calls again.
      const unlocked = await server.admin('POST', `/admin/v1/tenants/${tenantId}/customers/cust-lock/unlock`);
      assert.equal(unlocked.status, 200);
      assert.deepEqual(unlocked.body.unlocked, ['ars']);
      const three = await arsChallenge(client, 'cust-lock');
      call = await waitForAsk(sim, number, 2);
      await press(sim, call.sid, answerFor(call.prompt));
      assert.equal((await waitForStatus(client, three.id)).status, 'approved');
      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}`);
      const actions = JSON.stringify(audit.body);
      assert.match(actions, /ars\.locked/);
      assert.match(actions, /customer\.unlocked/);
    });

    test('star: the customer did not request this — denied, fraud reported', async () => {
      const { client, sim } = world;
      const number = nextNumber();
      await enroll(client, 'cust-star', number);
      const challenge = await arsChallenge(client, 'cust-star');
      const call = await waitForAsk(sim, number);
      await press(sim, call.sid, '*#');
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'denied');
      assert.equal(done.result.reason, 'customer_rejected');
      assert.equal(done.result.fraudReported, true);
      const ended = await eventually(async () => (await callsTo(sim, number)).find((c: any) => c.status === 'completed'));
      assert.ok(ended.transcript.some((text: string) => text.includes('stopped this transaction')));
    });

    test('0 repeats the details and asks the same positions again', async () => {
      const { client, sim } = world;
      const number = nextNumber();
      await enroll(client, 'cust-repeat', number);
      const challenge = await arsChallenge(client, 'cust-repeat');
      const call = await waitForAsk(sim, number);
      const amountReads = (c: any) => c.transcript.filter((text: string) => text.includes('three million five hundred thousand won')).length;
      const again = await pressAndWaitNext(sim, call, '0#', number);
      assert.equal(amountReads(again), 2, 'the transaction is read a second time');
      assert.deepEqual(positionsHeard(again.prompt), positionsHeard(call.prompt));
      await press(sim, again.sid, answerFor(again.prompt));
      assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
    });
  });
}
