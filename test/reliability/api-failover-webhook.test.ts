// test: slow, about 25 s
// A Twilio webhook that reaches an API process being stopped (docs/reliability.md, "Answers given
// while an API process stops"). With one API process, SIGTERM drains (new connections refused,
// requests on kept-alive ones answered 503) and a killed process refuses connections: a webhook in
// that window ended the call with an application error and the customer's answer was lost. Now two
// API processes run behind HAProxy (test/support/api-balancer.ts, the configuration of
// docs/deployment.md) and the balancer sends such a webhook to the other process.
//
// HAProxy sends every request to the first process (`balance first`) and checks health only every
// minute, so the webhook meets the stopped process before any health check has noticed: what it
// shows is the balancer's retry, not its health check.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import { eventually, transferBody } from '../support/test-server.ts';
import { ApiBalancer } from '../support/api-balancer.ts';
import { startProcessWorld, arsTenant, type ProcessWorld } from '../support/stepup-process.ts';
import { enroll, arsChallenge, waitForAsk, press, answerFor } from '../ars/ars-fixture.ts';

/** Resolves once nothing accepts connections on `port` (the process closed its listener or is gone). */
async function refusesConnections(port: number): Promise<void> {
  await eventually(
    () =>
      new Promise<true | undefined>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(undefined);
        });
        socket.once('error', () => resolve(true));
      }),
    10_000,
    `port ${port} to refuse connections`,
  );
}

describe('two API processes behind HAProxy: a webhook that reaches a stopping one is answered by the other', () => {
  let world: ProcessWorld;
  let balancer: ApiBalancer;
  let client: StepupClient;

  before(async () => {
    balancer = await ApiBalancer.reserve();
    world = await startProcessWorld({ apis: 2, publicBaseUrl: balancer.url, env: { SHUTDOWN_GRACE_MS: '20000', DB_TX_GUARD: 'true' } });
    await balancer.start({ ports: world.ports, balance: 'first', checkIntervalMs: 60_000 });
    client = await arsTenant(balancer.url, world.adminToken);
  });

  after(async () => {
    await balancer.stop();
    await world?.close();
  });

  /** A call in progress, asking for digits; its webhooks reach the first API process. */
  async function callAsking(customerId: string, number: string) {
    await enroll(client, customerId, number);
    const challenge = await arsChallenge(client, customerId);
    return { challenge, call: await waitForAsk(world.sim, number) };
  }

  /** The challenge as PostgreSQL holds it once decided (read from the database, not through the balancer). */
  async function decided(challengeId: string) {
    const reader = new pg.Client({ connectionString: world.databaseUrl });
    await reader.connect();
    try {
      const row = await eventually(async () => {
        const found = (await reader.query<{ status: string; fraud_reported: boolean }>('SELECT status, fraud_reported FROM challenges WHERE id = $1', [challengeId])).rows[0];
        return found && found.status !== 'pending' ? found : undefined;
      }, 20_000, 'the challenge to be decided').catch(() => ({ status: 'pending', fraud_reported: false }));
      return { status: row.status, fraudReported: row.fraud_reported };
    } finally {
      await reader.end();
    }
  }

  it('SIGTERM: the API is draining a bank request when the customer presses the right answer; the answer is applied', async () => {
    const { challenge, call } = await callAsking('cust-sigterm', '+8223100001');

    // A bank request held in flight on the first API (a table lock taken from outside), so it drains
    // rather than exits: its listener is closed, the process still runs.
    const outside = new pg.Client({ connectionString: world.databaseUrl });
    await outside.connect();
    await outside.query('BEGIN');
    await outside.query('LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE');
    const held = client
      .createChallenge(transferBody({ customerId: 'cust-held' }, '1000'), { idempotencyKey: `held-${randomBytes(6).toString('hex')}` })
      .then((answer) => answer.status, (error: unknown) => String(error));
    await eventually(async () => {
      const waiting = await outside.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
      return waiting.rows[0]!.n >= 1 ? true : undefined;
    }, 10_000, 'a bank request in flight');
    world.apis[0]!.signal('SIGTERM');
    await refusesConnections(world.ports[0]!);
    assert.ok(world.apis[0]!.running, 'the first API is still draining');

    await press(world.sim, call.sid, answerFor(call.prompt));
    const outcome = await decided(challenge.id);
    await outside.query('ROLLBACK');
    await outside.end();
    const heldAnswer = await held;
    await world.apis[0]!.waitForExit();

    assert.deepEqual(outcome, { status: 'approved', fraudReported: false });
    assert.deepEqual(world.sim.sim.state.getCall(call.sid)!.errors, [], 'the call had no application error');
    assert.equal(heldAnswer, 201, 'the request in flight was served by the draining process');
  });

  it('kill -9: the API is gone when the customer presses `*`; the fraud report is applied', async () => {
    if (!world.apis[0]!.running) await world.apis[0]!.start();
    const { challenge, call } = await callAsking('cust-kill', '+8223100002');

    world.apis[0]!.signal('SIGKILL');
    await world.apis[0]!.waitForExit();
    await press(world.sim, call.sid, '*');
    const outcome = await decided(challenge.id);

    assert.deepEqual(outcome, { status: 'denied', fraudReported: true });
    assert.deepEqual(world.sim.sim.state.getCall(call.sid)!.errors, [], 'the call had no application error');
  });
});
