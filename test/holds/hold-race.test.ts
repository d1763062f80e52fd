// Stop and release racing on real PostgreSQL, 100 times, from two processes (two servers, two pools,
// one database): exactly one wins each time, with exactly one audit entry and one event. Without the
// `hold_state = 'held'` condition in src/holds/hold-store.ts, both win and this test fails.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPostgresDatabase } from '../support/databases.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { flushAudit } from '../../src/audit/audit-log.ts';
import { ProblemError } from '../../src/errors/problem.ts';
import { changePolicy, holdPolicy, movableClock } from './hold-support.ts';

describe('stop racing release (postgres)', () => {
  let database: { url: string; drop: () => Promise<void> };
  let releaser: TestServer;
  let stopper: TestServer;
  const releaserTime = movableClock();
  const stopperTime = movableClock();
  before(async () => {
    database = await createPostgresDatabase();
    const shared = { MASTER_KEY: Buffer.alloc(32, 9).toString('base64'), DATABASE_URL: database.url };
    // The releaser serves the API only: a worker of its own would run the hold sweep on its clock (past
    // every release) and, on a busy machine, release holds before a round's pair raced (0 winners).
    releaser = await startTestServer({ env: { ...shared, STEPUP_ROLE: 'api' }, clock: releaserTime.clock });
    stopper = await startTestServer({ env: shared, clock: stopperTime.clock });
  });
  after(async () => {
    await releaser.close();
    await stopper.close();
    await database.drop();
  });

  test('100 races: one winner each, one audit entry, one event, and the state is the winner’s', async () => {
    const { client, tenantId } = await releaser.createTenant({ defaultCallbackUrl: 'http://127.0.0.1:9/never' });
    // The stop window closes when the release is due: the releaser's clock is past both, the
    // stopper's before both, so each side, alone, would win.
    await changePolicy(releaser, tenantId, (document) => (document.hold = holdPolicy({ minAmount: '10000', seconds: 600, stopClosesBeforeSeconds: 0, notifyCallsAfterSeconds: [] })));
    const ids: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      const created = await client.createChallenge<any>(transferBody({ customerId: `cust-race-${i % 10}` }, '10000'));
      assert.equal(created.body.hold?.state, 'held', JSON.stringify(created.body));
      ids.push(created.body.id);
    }
    releaserTime.advance(700);
    const wins = { released: 0, stopped: 0 };
    for (let round = 0; round < ids.length; round += 10) {
      await Promise.all(
        ids.slice(round, round + 10).map(async (id) => {
          const [released, stopped] = await Promise.all([
            releaser.running.context.holds.release(tenantId, id, 'job'),
            stopper.running.context.holds.stop(tenantId, id, { by: 'bank', actor: 'bank', reason: 'race' }).catch((error: unknown) => {
              assert.ok(error instanceof ProblemError && error.code === 'hold_released', String(error));
              return null;
            }),
          ]);
          const winners = (released ? 1 : 0) + (stopped ? 1 : 0);
          assert.equal(winners, 1, `${id}: exactly one of release and stop`);
          if (released) wins.released += 1;
          else wins.stopped += 1;
        }),
      );
    }
    const { db } = releaser.running.context;
    await flushAudit(db);
    const states = await db.query<{ id: string; hold_state: string }>('SELECT id, hold_state FROM challenges WHERE id = ANY($1)', [ids]);
    const events = await db.query<{ challenge_id: string; event_type: string }>(`SELECT challenge_id, event_type FROM webhook_deliveries WHERE challenge_id = ANY($1) AND event_type LIKE 'challenge.hold_%'`, [ids]);
    const audit = await db.query<{ subject: string; action: string }>(`SELECT subject, action FROM audit_log WHERE subject = ANY($1) AND action LIKE 'challenge.hold_%'`, [ids]);
    for (const { id, hold_state } of states.rows) {
      const ofThis = events.rows.filter((row) => row.challenge_id === id);
      assert.deepEqual(ofThis.map((row) => row.event_type), [hold_state === 'released' ? 'challenge.hold_released' : 'challenge.hold_stopped'], `${id}: one event, the winner's`);
      assert.deepEqual(audit.rows.filter((row) => row.subject === id).map((row) => row.action), [`challenge.hold_${hold_state}`], `${id}: one audit entry`);
    }
    assert.equal(wins.released + wins.stopped, 100);
    assert.equal(states.rows.filter((row) => row.hold_state === 'released').length, wins.released);
    // How the races fell, for the log: both sides win some when they truly meet in the database.
    console.log(`hold races: released ${wins.released}, stopped ${wins.stopped}`);
    const chain = await releaser.admin('GET', '/admin/v1/audit/verify');
    assert.equal(chain.body.ok, true);
  });
});
