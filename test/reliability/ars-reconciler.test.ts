// Faults the ARS reconciler repairs (docs/reliability.md): a status callback that never arrived,
// the next attempt's job lost in a Redis outage, and the first call's job lost before a worker saw
// it. Each test injects the fault into a real server, simulator and queue; without the reconciler
// the challenge waits until it expires and the customer is never called again.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { startArsWorld, enroll, arsChallenge, callsTo, simJson, waitForAsk, answerFor, press, waitForStatus, seoulLandline, twilioEnv, startSim, setArsPolicy, fastArs } from '../ars/ars-fixture.ts';
import { eventually, startTestServer } from '../support/test-server.ts';
import { placeCallQueueName, placeCallJobId } from '../../src/channels/ars/place-call-queue.ts';
import type { AppContext } from '../../src/server/build-context.ts';
import { JumpClock } from '../../src/time/clock.ts';

const reconcileFast = { ARS_RECONCILE_EVERY_MS: '200', ARS_RECONCILE_AFTER_S: '0.5' };

async function reconciled(context: AppContext, kind: string): Promise<number> {
  const metric = await context.metrics.registry.getSingleMetric('stepup_ars_reconciled_total')?.get();
  return metric?.values.find((value) => value.labels.case === kind)?.value ?? 0;
}

async function reconcileRuns(context: AppContext): Promise<number> {
  const metric = await context.metrics.registry.getSingleMetric('stepup_ars_reconcile_runs_total')?.get();
  return metric?.values[0]?.value ?? 0;
}

async function attemptsOf(context: AppContext, challengeId: string) {
  const result = await context.db.query<{ attempt_number: number; status: string; end_reason: string | null }>(
    'SELECT attempt_number, status, end_reason FROM ars_call_attempts WHERE challenge_id = $1 ORDER BY attempt_number',
    [challengeId],
  );
  return result.rows;
}

describe('ARS reconciler', () => {
  const worlds: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const world of worlds) await world.close();
  });

  it("closes an attempt whose final status callback never arrived (Calls fetch), and calls again", async () => {
    const world = await startArsWorld({ sim: { ringDelayMs: 600 }, server: { env: reconcileFast } });
    worlds.push(world);
    await enroll(world.client, 'cust-1001');
    await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(seoulLandline)}`, { answer: 'no-answer' });
    const challenge = await arsChallenge(world.client, 'cust-1001');
    // The fault: Twilio's final status callback goes nowhere (stepup down, a network cut).
    const first = await eventually(async () => (await callsTo(world.sim, seoulLandline))[0], 5000, 'the first call');
    world.sim.sim.state.getCall(first.sid)!.statusCallback = 'http://127.0.0.1:9/lost';
    await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(seoulLandline)}`, { answer: 'human' });

    const call = await waitForAsk(world.sim, seoulLandline, 1, 15_000);
    await press(world.sim, call.sid, answerFor(call.prompt));
    assert.equal((await waitForStatus(world.client, challenge.id)).status, 'approved');
    const attempts = await attemptsOf(world.server.running.context, challenge.id);
    assert.deepEqual(attempts[0], { attempt_number: 1, status: 'ended', end_reason: 'no-answer' });
    assert.ok((await reconciled(world.server.running.context, 'attempt_closed')) >= 1);
  });

  it('queues the next attempt when its job was lost after the attempt ended', async () => {
    const world = await startArsWorld({ sim: { ringDelayMs: 50 }, server: { env: { ...reconcileFast, ARS_RETRY_DELAY_SCALE: '0.1' } } });
    worlds.push(world);
    const { context } = world.server.running;
    await enroll(world.client, 'cust-1001');
    await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(seoulLandline)}`, { answer: 'no-answer' });
    const challenge = await arsChallenge(world.client, 'cust-1001');
    await eventually(async () => ((await attemptsOf(context, challenge.id))[0]?.status === 'ended' ? true : undefined), 5000, 'attempt 1 to end');
    // The fault: the retry, delayed 3 s, is gone from Redis (the queue hand-over failed in an outage).
    const queue = new Queue(placeCallQueueName, { connection: context.queueRedis, prefix: context.config.queuePrefix });
    assert.equal(await queue.remove(placeCallJobId(challenge.id, 2)), 1, 'the retry job was queued and is now removed');
    await queue.close();
    await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(seoulLandline)}`, { answer: 'human' });

    const call = await waitForAsk(world.sim, seoulLandline, 1, 15_000);
    await press(world.sim, call.sid, answerFor(call.prompt));
    assert.equal((await waitForStatus(world.client, challenge.id)).status, 'approved');
    assert.ok((await reconciled(context, 'next_call_queued')) >= 1);
  });

  it('ends an attempt a killed worker claimed but never dialed, once its challenge has ended and the clock passes its lease', async () => {
    // The claim lease is measured by the server's injectable clock (docs/reliability.md "Time as a
    // tested dimension"): the claim stays put until the clock moves past it, then it is closed.
    const clock = new JumpClock();
    const world = await startArsWorld({ server: { env: reconcileFast, clock: clock.now } });
    worlds.push(world);
    const { context } = world.server.running;
    await enroll(world.client, 'cust-1001');
    const challenge = await arsChallenge(world.client, 'cust-1001');
    assert.equal((await world.client.cancelChallenge(challenge.id)).status, 200);
    // The fault: a worker claimed attempt 2, then died before Calls.create (the row a kill -9 leaves).
    await context.db.query(
      `INSERT INTO ars_call_attempts (id, tenant_id, challenge_id, customer_id, attempt_number, status, claimed_at)
       VALUES ('att_killedworker0000', $1, $2, 'cust-1001', 2, 'claimed', $3)`,
      [world.tenantId, challenge.id, clock.now()],
    );
    // Within the lease (a worker may still be about to dial): left alone, run after run.
    const runsBefore = await reconcileRuns(context);
    await eventually(async () => ((await reconcileRuns(context)) >= runsBefore + 3 ? true : undefined), 10_000, 'three reconciler runs');
    assert.equal((await attemptsOf(context, challenge.id)).find((attempt) => attempt.attempt_number === 2)?.status, 'claimed');
    clock.advance(2 * 60_000);
    const ended = await eventually(async () => {
      const row = (await attemptsOf(context, challenge.id)).find((attempt) => attempt.attempt_number === 2);
      return row?.status === 'ended' ? row : undefined;
    }, 10_000, 'the abandoned claim to end');
    assert.equal(ended.end_reason, 'canceled');
    assert.ok((await reconciled(context, 'abandoned_claim_closed')) >= 1);
  });

  it("places the first call when its job was lost before any worker saw it", async () => {
    const sim = await startSim();
    worlds.push(sim);
    const api = await startTestServer({ db: 'postgres', env: { ...twilioEnv(sim), STEPUP_ROLE: 'api' } });
    worlds.push(api);
    const { tenantId, client } = await api.createTenant({ bankName: 'Test Bank' });
    await setArsPolicy(api, tenantId, fastArs);
    await enroll(client, 'cust-1001');
    const challenge = await arsChallenge(client, 'cust-1001');
    // The fault: the first call's job vanishes (Redis lost it) before a worker runs.
    const { context } = api.running;
    const queue = new Queue(placeCallQueueName, { connection: context.queueRedis, prefix: context.config.queuePrefix });
    assert.equal(await queue.remove(placeCallJobId(challenge.id, 1)), 1);
    await queue.close();

    const worker = await startTestServer({
      env: {
        ...twilioEnv(sim),
        ...reconcileFast,
        STEPUP_ROLE: 'worker',
        DATABASE_URL: context.config.databaseUrl!,
        QUEUE_PREFIX: context.config.queuePrefix,
        MASTER_KEY: context.config.masterKeys.current.key.toString('base64'),
        PUBLIC_BASE_URL: context.config.publicBaseUrl,
      },
    });
    worlds.push(worker);
    const call = await waitForAsk(sim, seoulLandline, 0, 15_000);
    await press(sim, call.sid, answerFor(call.prompt));
    assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
    assert.ok((await reconciled(worker.running.context, 'first_call_queued')) >= 1);
  });
});
