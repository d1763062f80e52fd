// One live ARS call per customer (docs/ars-channel.md) under concurrency, on real PostgreSQL: two
// server processes (two pools, one database) claim call attempts for many challenges of one
// customer at once; exactly one gets the line each time. With the customer row lock removed from
// callAttemptStore.claimWhenLineFree, several claims win and this test fails.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPostgresDatabase } from '../support/databases.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import { callAttemptStore } from '../../src/channels/ars/call-attempt-store.ts';
import { newId } from '../../src/crypto/hashing.ts';

describe('one live call per customer, racing (postgres)', () => {
  let database: { url: string; drop: () => Promise<void> };
  let first: TestServer;
  let second: TestServer;
  before(async () => {
    database = await createPostgresDatabase();
    const shared = { MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), DATABASE_URL: database.url };
    first = await startTestServer({ env: shared, channels: [new ManualChannel('otp')] });
    second = await startTestServer({ env: shared, channels: [new ManualChannel('otp')] });
  });
  after(async () => {
    await first.close();
    await second.close();
    await database.drop();
  });

  test('16 concurrent claims for 8 challenges of one customer: one wins per round', async () => {
    const { client, tenantId } = await first.createTenant();
    const customerId = 'cust-1001'; // the one ManualChannel enrolls
    const db = first.running.context.db;
    // The customer's ARS row is what the claims lock (its other columns do not matter here).
    await db.query('INSERT INTO ars_customers (tenant_id, customer_id) VALUES ($1, $2)', [tenantId, customerId]);
    const pools = [first.running.context.db, second.running.context.db];
    for (let round = 0; round < 5; round += 1) {
      const challenges = await Promise.all(Array.from({ length: 8 }, () => client.createChallenge<any>(transferBody({ customerId }))));
      for (const created of challenges) assert.equal(created.body.status, 'pending');
      const claims = await Promise.all(
        challenges.flatMap((created, index) =>
          pools.map((pool) => callAttemptStore.claimWhenLineFree(pool, { id: newId('att'), tenantId, challengeId: created.body.id, customerId, attemptNumber: index + 1, now: new Date() })),
        ),
      );
      const won = claims.filter((claim) => claim !== null && claim !== 'busy');
      assert.equal(won.length, 1, `round ${round}: exactly one call gets the line (${claims.map((c) => (c === null || c === 'busy' ? String(c) : 'claimed')).join(', ')})`);
      // That call ends; the next round starts from a free line.
      const attempt = won[0] as Exclude<(typeof won)[number], null | 'busy'>;
      await callAttemptStore.end(db, tenantId, attempt.id, { reason: 'completed', at: new Date() }, { tenantId, actor: 'test', action: 'ars.call_ended', subject: attempt.challenge_id, data: {} });
    }
  });
});
