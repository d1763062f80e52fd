// A customer's answer while the bank's requests hold every database connection (docs/reliability.md,
// "Calls keep database connections of their own"). The full chaos run lost 89 answers this way: on
// an overloaded machine the API's pool was busy with bank requests (and their retries), the call's
// webhook queued behind them for a connection until its patience ran out, Twilio ended the call
// with an application error and the `*` or right answer was gone. A bank request can be answered
// 503 and retried; a webhook cannot. Here the bank's requests are held on a table lock taken from
// outside, so they keep their connections for as long as the test wants.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestServer, eventually, transferBody } from '../support/test-server.ts';
import { startSim, twilioEnv, setArsPolicy, fastArs, enroll, arsChallenge, waitForAsk, press, seoulLandline, answerFor, type SimFixture } from '../ars/ars-fixture.ts';

describe('answers pressed while bank requests hold every database connection (PostgreSQL)', () => {
  const closing: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const item of closing.reverse()) await item.close();
  });

  for (const [pressed, expected] of [['*', { status: 'denied', fraud_reported: true }], ['right', { status: 'approved', fraud_reported: false }]] as const) {
    it(`${pressed === '*' ? 'a `*` fraud report' : 'a right answer'} decides the challenge; the call has no application error`, async () => {
      const sim: SimFixture = await startSim();
      closing.push(sim);
      // Patience shorter than the wait for a connection: the webhook must not need to wait at all.
      const server = await startTestServer({ db: 'postgres', env: { ...twilioEnv(sim), ARS_WEBHOOK_PATIENCE_MS: '1000' } });
      closing.push(server);
      const { tenantId, client } = await server.createTenant({ bankName: 'Test Bank' });
      await setArsPolicy(server, tenantId, fastArs);
      await enroll(client, 'cust-busy');
      const challenge = await arsChallenge(client, 'cust-busy');
      const call = await waitForAsk(sim, seoulLandline);

      // The bank's creates block on the idempotency table, each holding a pool connection.
      const outside = new pg.Client({ connectionString: server.config.databaseUrl! });
      await outside.connect();
      closing.push({ close: () => outside.end() });
      // Another connection watches and reads (inside a transaction pg_stat_activity is a snapshot).
      const observer = new pg.Client({ connectionString: server.config.databaseUrl! });
      await observer.connect();
      closing.push({ close: () => observer.end() });
      await outside.query('BEGIN');
      await outside.query('LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE');
      const creates = Array.from({ length: 14 }, (_, i) =>
        client.createChallenge(transferBody({ customerId: `busy-${i}` }, '1000'), { idempotencyKey: `busy-${randomBytes(6).toString('hex')}` }).catch(() => null),
      );
      await eventually(async () => {
        const waiting = await observer.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
        return waiting.rows[0]!.n >= 5 ? true : undefined;
      }, 10_000, 'bank requests to hold connections');

      await press(sim, call.sid, pressed === '*' ? '*' : answerFor(call.prompt));
      const decided = await eventually(async () => {
        const row = (await observer.query<{ status: string; fraud_reported: boolean }>('SELECT status, fraud_reported FROM challenges WHERE id = $1', [challenge.id])).rows[0];
        return row && row.status !== 'pending' ? row : undefined;
      }, 8000, 'the challenge to be decided').catch(async () => (await observer.query('SELECT status, fraud_reported FROM challenges WHERE id = $1', [challenge.id])).rows[0]);
      const errors = sim.sim.state.getCall(call.sid)!.errors;

      await outside.query('ROLLBACK');
      await Promise.all(creates);
      assert.deepEqual({ status: decided.status, fraud_reported: decided.fraud_reported }, expected);
      assert.deepEqual(errors, [], 'the call had no application error');
    });
  }
});
