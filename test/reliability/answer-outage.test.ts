// A customer's answer pressed while PostgreSQL is briefly away (docs/reliability.md, "Answers given
// during a short outage"): the gather webhook used to answer 503 at once, Twilio ended the call with
// an application error, its status callback was refused too, and the `*` was lost — the challenge
// expired with fraudReported false. Now the webhook waits out a short outage and applies the answer.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, eventually } from '../support/test-server.ts';
import { FaultyDb } from '../support/faulty-db.ts';
import { startSim, twilioEnv, setArsPolicy, fastArs, enroll, arsChallenge, waitForAsk, press, seoulLandline, answerFor, type SimFixture } from '../ars/ars-fixture.ts';

describe('answers pressed during a short PostgreSQL outage', () => {
  const closing: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const item of closing.reverse()) await item.close();
  });

  for (const [pressed, expected] of [['*', { status: 'denied', fraudReported: true }], ['right', { status: 'approved', fraudReported: false }]] as const) {
    it(`${pressed === '*' ? 'a `*` fraud report' : 'a right answer'} decides the challenge; the call goes on without an application error`, async () => {
      const sim: SimFixture = await startSim();
      closing.push(sim);
      let faulty!: FaultyDb;
      const server = await startTestServer({ env: twilioEnv(sim), wrapDb: (inner) => (faulty = new FaultyDb(inner)) });
      closing.push(server);
      const { tenantId, client } = await server.createTenant({ bankName: 'Test Bank' });
      await setArsPolicy(server, tenantId, fastArs);
      await enroll(client, 'cust-outage');
      const challenge = await arsChallenge(client, 'cust-outage');
      const call = await waitForAsk(sim, seoulLandline);

      faulty.goDown();
      await press(sim, call.sid, pressed === '*' ? '*' : answerFor(call.prompt));
      // The gather webhook met the outage and tried again (rideOutOutage), still down: then it heals.
      await eventually(async () => (faulty.failedStacks.filter((stack) => stack.includes('rideOutOutage')).length >= 2 ? true : undefined), 10_000, 'the answer to meet the outage twice');
      faulty.heal();

      const final = await eventually(async () => {
        const read = await client.getChallenge<any>(challenge.id);
        return read.body.status !== 'pending' ? read.body : undefined;
      }, 8000, 'the challenge to be decided').catch(async () => (await client.getChallenge<any>(challenge.id)).body);
      assert.deepEqual({ status: final.status, fraudReported: final.result?.fraudReported ?? false }, expected);
      assert.deepEqual(sim.sim.state.getCall(call.sid)!.errors, [], 'the call had no application error');
    });
  }
});
