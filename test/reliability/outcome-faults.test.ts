// A customer's answer and the challenge's decision commit together (docs/reliability.md): an outage
// right after the answer was recorded used to leave it recorded (code spent, answer counted) while
// the challenge stayed pending until it expired — the customer's right answer lost.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, eventually, type TestServer } from '../support/test-server.ts';
import { FaultyDb } from '../support/faulty-db.ts';
import { createOtpChallenge, importToken, hex } from '../otp-channel/otp-support.ts';
import { generateTotp } from '../../src/channels/otp/totp.ts';
import { startSim, twilioEnv, setArsPolicy, fastArs, enroll, arsChallenge, waitForAsk, answerFor, press, seoulLandline, type SimFixture } from '../ars/ars-fixture.ts';

for (const db of dbKinds) {
  describe(`an outage right after the answer is recorded (${db})`, () => {
    const closing: { close(): Promise<void> }[] = [];
    after(async () => {
      for (const item of closing) await item.close();
    });

    it('OTP: the right code approves the challenge, or nothing is spent and a retry approves it', async () => {
      let faulty!: FaultyDb;
      const server: TestServer = await startTestServer({ db, wrapDb: (inner) => (faulty = new FaultyDb(inner)) });
      closing.push(server);
      const { client } = await server.createTenant();
      const seed = new Uint8Array(randomBytes(20));
      await importToken(client, 'cust-otp', { type: 'totp', secretHex: hex(seed) });
      const challenge = await createOtpChallenge(client, 'cust-otp', '110-123-456789');
      assert.equal(challenge.status, 'pending');

      faulty.failAfterCommitOf(/UPDATE otp_challenge_attempts SET accepted = true/);
      const code = generateTotp({ secret: seed });
      await client.submitOtp(challenge.id, code);
      faulty.heal();
      // The bank retries what it did not see succeed, as it should.
      const retried = await client.submitOtp<any>(challenge.id, code);
      assert.ok(retried.status === 200 || retried.body.code === 'challenge_not_pending', JSON.stringify(retried.body));
      const final = await client.getChallenge<any>(challenge.id);
      assert.equal(final.body.status, 'approved', 'the code that was accepted approved the challenge');
    });

    it('ARS: right digits approve the challenge although the database went away right after the answer was stored', async () => {
      const sim: SimFixture = await startSim();
      closing.push(sim);
      let faulty!: FaultyDb;
      const server = await startTestServer({ db, env: twilioEnv(sim), wrapDb: (inner) => (faulty = new FaultyDb(inner)) });
      closing.push(server);
      const { tenantId, client } = await server.createTenant({ bankName: 'Test Bank' });
      await setArsPolicy(server, tenantId, fastArs);
      await enroll(client, 'cust-ars');
      const challenge = await arsChallenge(client, 'cust-ars');
      const call = await waitForAsk(sim, seoulLandline);

      faulty.failAfterCommitOf(/UPDATE ars_call_attempts SET\s+status = COALESCE/);
      await press(sim, call.sid, answerFor(call.prompt));
      await eventually(async () => (faulty.isDown ? true : undefined), 5000, 'the outage to begin');
      // It lasts until the call's next webhook (the rest of the answer, or the call's end) has met it.
      await eventually(async () => (faulty.failedStacks.some((stack) => stack.includes('rideOutOutage')) ? true : undefined), 10_000, 'a webhook of the call to meet the outage');
      faulty.heal();
      const final = await eventually(async () => {
        const read = await client.getChallenge<any>(challenge.id);
        return read.body.status !== 'pending' ? read.body : undefined;
      }, 5000, 'the challenge to be decided').catch(async () => (await client.getChallenge<any>(challenge.id)).body);
      assert.equal(final.status, 'approved', 'the right answer the customer gave decided the challenge');
    });
  });
}
