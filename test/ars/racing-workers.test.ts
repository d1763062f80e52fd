// Two stepup processes (API + workers each) on one PostgreSQL and one Redis, racing on one call:
// an attempt is dialed once, and the same answer delivered to both at once is counted once.
// PostgreSQL only: PGlite is one embedded database per process and cannot be shared.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, eventually, type TestServer } from '../support/test-server.ts';
import { placeCallQueueName } from '../../src/channels/ars/place-call-queue.ts';
import { Queue } from 'bullmq';
import { placeCallJobState, simJson, postWebhook, accountSid, answerFor, arsChallenge, callsTo, enroll, startArsWorld, twilioEnv, waitForAsk, waitForStatus, type ArsWorld } from './ars-fixture.ts';

describe('two workers racing on one call (postgres)', () => {
  let world: ArsWorld;
  let twin: TestServer;
  before(async () => {
    // Real-time Gather timeouts: the answers below arrive while the question is still open.
    world = await startArsWorld({ db: 'postgres', sim: { gatherTimeoutScale: 1 } });
    const { config } = world.server;
    twin = await startTestServer({
      env: {
        ...twilioEnv(world.sim),
        DATABASE_URL: config.databaseUrl!,
        QUEUE_PREFIX: config.queuePrefix,
        ADMIN_TOKEN: world.server.adminToken,
        MASTER_KEY: config.masterKeys.current.key.toString('base64'),
      },
    });
  });
  after(async () => {
    await twin.close();
    await world.close();
  });

  test('one dial per attempt, one decision per answer', async () => {
    const { client, sim, server, tenantId } = world;
    const number = '+8223163460';
    await enroll(client, 'cust-race', number);
    const challenge = await arsChallenge(client, 'cust-race');
    // A duplicate job for attempt 1 (as if enqueued twice under another id): the attempt claim decides.
    const queue = new Queue(placeCallQueueName, { connection: server.running.context.queueRedis, prefix: server.config.queuePrefix });
    await Promise.all([1, 2, 3].map((n) => queue.add('place-call', { tenantId, challengeId: challenge.id, attemptNumber: 1 }, { jobId: `dup-${challenge.id}-${n}` })));
    const call = await waitForAsk(sim, number);
    // Every job that could dial attempt 1 has run (the duplicates stay as completed or failed; the
    // attempt's own job is removed once done): a second dial would be in the simulator's log by now.
    const duplicates = await Promise.all([1, 2, 3].map(async (n) => (await queue.getJob(`dup-${challenge.id}-${n}`))!));
    await eventually(async () => {
      const states = await Promise.all([...duplicates.map((job) => job.getState()), placeCallJobState(server, challenge.id, 1)]);
      return states.every((state) => ['completed', 'failed', 'absent'].includes(state)) ? true : undefined;
    }, 10_000, 'every job for attempt 1 to have run');
    assert.equal((await callsTo(sim, number)).length, 1, 'attempt 1 was dialed once');

    const attempt = (await server.running.context.db.query<any>('SELECT * FROM ars_call_attempts WHERE challenge_id = $1', [challenge.id])).rows[0];
    const path = `/twilio/ars/${tenantId}/${attempt.id}/gather?ask=1`;
    const params = { CallSid: call.sid, AccountSid: accountSid, Digits: answerFor(call.prompt), CallStatus: 'in-progress' };
    // The same answer reaches both processes at once (each checks the signature over its own URL).
    const replies = await Promise.all([postWebhook(server.url, path, params), postWebhook(twin.url, path, params), postWebhook(server.url, path, params), postWebhook(twin.url, path, params)]);
    assert.ok(replies.every((reply) => reply.status === 200));
    // Each process names its own PUBLIC_BASE_URL in the TwiML; otherwise the replies are identical.
    const sameReply = (reply: { text: string }) => reply.text.replaceAll(twin.url, server.url);
    assert.ok(replies.every((reply) => sameReply(reply) === sameReply(replies[0]!)), 'every copy gets the same reply');
    assert.match(replies[0]!.text, /approved/);
    assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
    const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&limit=200`);
    const entries = JSON.stringify(audit.body);
    assert.equal(entries.match(/"ars\.answer"/g)?.length, 1, 'one answer recorded');
    assert.equal(entries.match(/"challenge\.approved"/g)?.length, 1, 'one decision');
    await simJson(sim, 'POST', `/sim/calls/${call.sid}/hangup`);
    await eventually(async () => ((await callsTo(sim, number))[0].status === 'completed' ? true : undefined));
    await queue.close();
  });
});
