// Bank requests past MAX_BANK_REQUESTS_IN_FLIGHT are refused at once (docs/reliability.md, "Bank
// requests in flight are bounded"). In the full chaos run the bank's retries kept 300–450 requests in
// flight in one API process starved of CPU; each waited up to 3 s for a database connection before
// its 503, and the process answered Twilio's webhooks after Twilio's 15 s: the calls ended with an
// application error. A request over the bound now gets its 503 (with Retry-After) before any work —
// no signature check, no Redis, no database — and Twilio's webhooks are not counted.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestServer, eventually, transferBody } from '../support/test-server.ts';
import { startSim, twilioEnv, setArsPolicy, fastArs, enroll, arsChallenge, waitForAsk, press, seoulLandline, type SimFixture } from '../ars/ars-fixture.ts';

describe('bank requests in flight are bounded (PostgreSQL)', () => {
  const closing: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const item of closing.reverse()) await item.close();
  });

  it('over the bound a bank request is answered 503 with Retry-After at once; a call still decides', async () => {
    const sim: SimFixture = await startSim();
    closing.push(sim);
    const server = await startTestServer({ db: 'postgres', captureLogs: true, env: { ...twilioEnv(sim), MAX_BANK_REQUESTS_IN_FLIGHT: '4' } });
    closing.push(server);
    const { tenantId, client } = await server.createTenant({ bankName: 'Test Bank' });
    await setArsPolicy(server, tenantId, fastArs);
    await enroll(client, 'cust-flight');
    const challenge = await arsChallenge(client, 'cust-flight');
    const call = await waitForAsk(sim, seoulLandline);

    // Four creates held in flight on a table lock taken from outside.
    const outside = new pg.Client({ connectionString: server.config.databaseUrl! });
    const observer = new pg.Client({ connectionString: server.config.databaseUrl! });
    await outside.connect();
    await observer.connect();
    closing.push({ close: () => outside.end() }, { close: () => observer.end() });
    await outside.query('BEGIN');
    await outside.query('LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE');
    const held = Array.from({ length: 4 }, (_, i) =>
      client.createChallenge(transferBody({ customerId: `flight-${i}` }, '1000'), { idempotencyKey: `flight-${randomBytes(6).toString('hex')}` }),
    );
    await eventually(async () => {
      const waiting = await observer.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
      return waiting.rows[0]!.n >= 4 ? true : undefined;
    }, 10_000, 'four bank requests in flight');

    const started = performance.now();
    const refused = await client.getChallenge<any>(challenge.id);
    const tookMs = performance.now() - started;
    // The call's webhook is not a bank request: the `*` decides the challenge meanwhile.
    await press(sim, call.sid, '*');
    const decided = await eventually(async () => {
      const row = (await observer.query<{ status: string; fraud_reported: boolean }>('SELECT status, fraud_reported FROM challenges WHERE id = $1', [challenge.id])).rows[0];
      return row && row.status !== 'pending' ? row : undefined;
    }, 8000, 'the challenge to be decided').catch(() => ({ status: 'pending', fraud_reported: false }));

    await outside.query('ROLLBACK');
    const answers = await Promise.all(held);
    assert.deepEqual({ status: refused.status, code: refused.body?.code, retryAfter: refused.headers.get('retry-after') !== null }, { status: 503, code: 'service_unavailable', retryAfter: true });
    assert.ok(tookMs < 1000, `refused at once (took ${Math.round(tookMs)} ms)`);
    // Shedding is the process doing what it should under load, not a fault: its access line is a warning
    // naming why (the soak's demo, starved of CPU on a busy machine, once shed a request at error level).
    const refusedLines = await eventually(async () => {
      const lines = server.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request completed' && line.req.id === refused.headers.get('x-request-id'));
      return lines.length > 0 ? lines : undefined;
    }, 5_000, "the refused request's access line");
    assert.deepEqual(refusedLines.map((line) => [line.level, line.res.statusCode, line.shed]), [[40, 503, 'in_flight']]);
    assert.deepEqual(decided, { status: 'denied', fraud_reported: true });
    assert.deepEqual(answers.map((answer) => answer.status), [201, 201, 201, 201], 'the requests in flight were served once the lock went');
    // Under the bound again: served.
    assert.equal((await client.getChallenge<any>(challenge.id)).status, 200);
  });
});
