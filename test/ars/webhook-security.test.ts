// Twilio webhooks (docs/ars-channel.md, last paragraph): X-Twilio-Signature over PUBLIC_BASE_URL (403 otherwise),
// bound to one call attempt (a stale or foreign webhook changes nothing), idempotent when retried.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { dbKinds } from '../support/databases.ts';
import { eventually } from '../support/test-server.ts';
import { placeCallJobState, postWebhook, pressAndWaitNext, answerFor, arsChallenge, authToken, accountSid, callsTo, enroll, press, startArsWorld, waitForAsk, waitForStatus, wrongAnswerFor, type ArsWorld } from './ars-fixture.ts';

for (const db of dbKinds) {
  describe(`ARS webhook security (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db });
    });
    after(() => world.close());
    const attemptsOf = async (challengeId: string) =>
      (await world.server.running.context.db.query<any>('SELECT * FROM ars_call_attempts WHERE challenge_id = $1 ORDER BY attempt_number', [challengeId])).rows;
    const failuresOf = async (customerId: string) =>
      (await world.server.running.context.db.query<any>('SELECT consecutive_failures FROM ars_customers WHERE customer_id = $1', [customerId])).rows[0].consecutive_failures;

    test('forged webhooks are refused with 403 and change nothing', async () => {
      const { client, sim, server, tenantId } = world;
      const number = '+8223153460';
      await enroll(client, 'cust-forged', number);
      const challenge = await arsChallenge(client, 'cust-forged');
      const call = await waitForAsk(sim, number);
      const [attempt] = await attemptsOf(challenge.id);
      const path = `/twilio/ars/${tenantId}/${attempt.id}/gather?ask=1`;
      const params = { CallSid: call.sid, AccountSid: accountSid, Digits: '*', CallStatus: 'in-progress' };
      assert.equal((await postWebhook(server.url, path, params, { signature: null })).status, 403, 'unsigned');
      assert.equal((await postWebhook(server.url, path, params, { token: 'not-the-auth-token-000000' })).status, 403, 'wrong key');
      assert.equal((await postWebhook(server.url, path, params, { signedUrl: `http://evil.example${path}` })).status, 403, 'signed for another URL');
      assert.equal((await postWebhook(server.url, path, { ...params, Digits: '*' }, { signature: twilio.getExpectedTwilioSignature(authToken, server.url + path, { ...params, Digits: '1234' }) })).status, 403, 'body changed after signing');
      const status = `/twilio/ars/${tenantId}/${attempt.id}/status`;
      assert.equal((await postWebhook(server.url, status, { CallSid: call.sid, CallStatus: 'busy' }, { signature: 'AAAA' })).status, 403);
      assert.equal((await client.getChallenge<any>(challenge.id)).body.status, 'pending');
      await press(sim, call.sid, answerFor(call.prompt));
      assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
    });

    test('a retried Gather webhook gets the same reply and counts once; a stale one changes nothing', async () => {
      const { client, sim, server, tenantId } = world;
      const number = '+8223153461';
      await enroll(client, 'cust-replay', number);
      const challenge = await arsChallenge(client, 'cust-replay');
      const call = await waitForAsk(sim, number);
      const [attempt] = await attemptsOf(challenge.id);
      const path = `/twilio/ars/${tenantId}/${attempt.id}/gather?ask=1`;
      const params = { CallSid: call.sid, AccountSid: accountSid, Digits: wrongAnswerFor(call.prompt), CallStatus: 'in-progress' };
      // Twilio retrying the same request (e.g. after a timeout), twice at once and once later.
      const [first, second] = await Promise.all([postWebhook(server.url, path, params), postWebhook(server.url, path, params)]);
      const third = await postWebhook(server.url, path, params);
      assert.equal(first.status, 200);
      assert.equal(first.text, second.text);
      assert.equal(first.text, third.text);
      assert.match(first.text, /not correct/);
      assert.equal(await failuresOf('cust-replay'), 1, 'the wrong answer counted once');
      // Another call's webhook for this attempt: bound to the attempt's own call, so ignored.
      const foreign = await postWebhook(server.url, `/twilio/ars/${tenantId}/${attempt.id}/gather?ask=2`, { ...params, CallSid: 'CA00000000000000000000000000000000', Digits: '*' });
      assert.match(foreign.text, /<Hangup\/>/);
      assert.doesNotMatch(foreign.text, /<Say/);
      // An old question answered again (ask=1 after ask 2 is current): the same old reply, no new count.
      const asked = await eventually(async () => {
        const now = (await attemptsOf(challenge.id))[0];
        return now.ask_seq === 2 ? now : undefined;
      });
      const late = await postWebhook(server.url, path, { ...params, Digits: '*' });
      assert.equal(late.text, first.text);
      assert.equal((await client.getChallenge<any>(challenge.id)).body.status, 'pending');
      // The phone still waits on question 1: its own (late) answer gets the same reply, which asks
      // the new positions; the customer answers those.
      const next = await pressAndWaitNext(sim, (await callsTo(sim, number))[0], '1111', number);
      assert.notEqual(next.prompt, call.prompt);
      await press(sim, next.sid, answerFor(next.prompt));
      assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
      assert.equal(asked.answers_given, 1);
      // A status callback replayed after the end does not start another attempt.
      await eventually(async () => ((await attemptsOf(challenge.id))[0].status === 'ended' ? true : undefined));
      const replayedStatus = await postWebhook(server.url, `/twilio/ars/${tenantId}/${attempt.id}/status`, { CallSid: call.sid, CallStatus: 'no-answer' });
      assert.equal(replayedStatus.status, 204);
      // The status webhook answers after it acted: a retry would be queued (a delayed job) by now.
      assert.equal(await placeCallJobState(server, challenge.id, 2), 'absent', 'no second attempt queued');
      assert.equal((await attemptsOf(challenge.id)).length, 1);
      assert.equal((await callsTo(sim, number)).length, 1);
    });
  });
}
