// Two processes deciding the same challenge at once must produce exactly one decision (real PostgreSQL:
// two servers, two connection pools, one database).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPostgresDatabase } from '../support/databases.ts';
import { flushAudit } from '../../src/audit/audit-log.ts';
import { createChallengeSchema } from '../../src/challenges/challenge-schemas.ts';
import { startTestServer, transferBody, middayClock, type TestServer } from '../support/test-server.ts';
import { ManualChannel } from '../support/manual-channel.ts';

describe('racing deciders (postgres)', () => {
  let database: { url: string; drop: () => Promise<void> };
  let first: TestServer;
  let second: TestServer;
  before(async () => {
    database = await createPostgresDatabase();
    const shared = { MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), DATABASE_URL: database.url };
    // Both processes on one clock, far from midnight in Seoul: the day total is one day's.
    const clock = middayClock();
    first = await startTestServer({ env: shared, channels: [new ManualChannel('otp')], clock });
    second = await startTestServer({ env: shared, channels: [new ManualChannel('otp')], clock });
  });
  after(async () => {
    await first.close();
    await second.close();
    await database.drop();
  });

  test('20 concurrent finishes from two processes: one wins, the rest see the winner', async () => {
    const { client, tenantId } = await first.createTenant({ defaultCallbackUrl: 'http://127.0.0.1:9/never' });
    for (let round = 0; round < 5; round += 1) {
      const created = await client.createChallenge<any>(transferBody());
      assert.equal(created.body.status, 'pending');
      const outcomes = ['approved', 'denied', 'canceled', 'failed'] as const;
      const attempts = Array.from({ length: 20 }, (_, i) => {
        const service = (i % 2 === 0 ? first : second).running.context.challenges;
        const status = outcomes[i % outcomes.length]!;
        return service.finish(tenantId, created.body.id, { status, reason: `race_${status}`, actor: `test:${i}` });
      });
      const results = await Promise.all(attempts);
      const winners = results.filter((r) => r.changed);
      assert.equal(winners.length, 1, `round ${round}: exactly one decision`);
      const final = winners[0]!.challenge.status;
      for (const result of results) assert.equal(result.challenge.status, final);
      const db = first.running.context.db;
      await flushAudit(db);
      const audit = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE subject = $1 AND action <> 'challenge.created'`, [created.body.id]);
      assert.equal(audit.rows[0]!.n, 1, 'one audited transition');
      const events = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries WHERE challenge_id = $1', [created.body.id]);
      assert.equal(events.rows[0]!.n, 1, 'one event');
    }
    const chain = await first.admin('GET', '/admin/v1/audit/verify');
    assert.equal(chain.body.ok, true, 'concurrent appends keep the hash chain intact');
  });

  test('concurrent transfers cannot both slip under the daily cumulative threshold', async () => {
    const { tenantId } = await first.createTenant();
    // Each transfer is under 3,000,000 alone; any two reach it. Per customer, six decisions race in
    // two processes, straight into the service so they meet in the database at once: exactly one
    // may be not_required (with the lock removed from stepup_locked_day_total, this test fails).
    const customers = Array.from({ length: 20 }, (_, i) => `cust-race-${Date.now()}-${i}`);
    const services = [first.running.context.challenges, second.running.context.challenges];
    const results = await Promise.all(
      customers.flatMap((customerId) =>
        Array.from({ length: 6 }, (_, i) => services[i % 2]!.create(tenantId, createChallengeSchema.parse(transferBody({ customerId }, '1600000')))),
      ),
    );
    for (const [index, customerId] of customers.entries()) {
      const notRequired = results.slice(index * 6, index * 6 + 6).filter((record) => record.status === 'not_required');
      assert.equal(notRequired.length, 1, `${customerId}: exactly one transfer slips under the threshold`);
    }
  });
});
