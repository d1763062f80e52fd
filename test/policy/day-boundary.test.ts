// The daily cumulative total is the policy time zone's calendar day, decided on the server's clock:
// a transfer just before midnight in Seoul and one just after belong to different days. The clock is
// injected, so this holds whatever time the suite runs at.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

for (const db of dbKinds) {
  describe(`daily total across midnight in Asia/Seoul (${db})`, () => {
    // 2026-03-14 23:59:30 in Seoul (UTC+9).
    let now = new Date('2026-03-14T14:59:30Z');
    let server: TestServer;
    let client: StepupClient;
    before(async () => {
      server = await startTestServer({ db, clock: () => now });
      ({ client } = await server.createTenant());
    });
    after(() => server.close());

    it('counts each transfer on its own Seoul day, and sums within one', async () => {
      const lateEvening = await client.createChallenge<any>(transferBody({ customerId: 'cust-midnight' }, '2000000'));
      assert.equal(lateEvening.body.status, 'not_required');
      now = new Date('2026-03-14T15:00:30Z'); // 00:00:30 on the 15th in Seoul
      const afterMidnight = await client.createChallenge<any>(transferBody({ customerId: 'cust-midnight' }, '2000000'));
      assert.equal(afterMidnight.body.status, 'not_required', 'yesterday evening does not count today');
      const sameDay = await client.createChallenge<any>(transferBody({ customerId: 'cust-midnight' }, '1000000'));
      assert.equal(sameDay.body.decision.stepUpRequired, true, '2,000,000 + 1,000,000 on one day reaches the threshold');
      assert.deepEqual(sameDay.body.decision.reasons, ['daily_cumulative_threshold']);
    });
  });
}
