// The ARS lock is read at every answer (docs/ars-channel.md, "Lock and unlock"): a customer locked
// while a call is live (by another process's call, as before one live call per customer) hears
// the locked message on that call whatever they press next, and a right answer approves nothing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { eventually } from '../support/test-server.ts';
import { answerFor, arsChallenge, callsTo, enroll, press, startArsWorld, waitForAsk, waitForStatus, type ArsWorld } from './ars-fixture.ts';

for (const db of dbKinds) {
  describe(`ARS lock on a live call (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db });
    });
    after(() => world.close());
    // Another call locking the customer, as its last wrong answer does (recordFailure's statement).
    const lockElsewhere = (customerId: string) =>
      world.server.running.context.db.query('UPDATE ars_customers SET consecutive_failures = 5, locked_at = now() WHERE tenant_id = $1 AND customer_id = $2', [world.tenantId, customerId]);

    for (const [what, keys] of [['the right digits', 'right'], ['0 (repeat)', '0#'], ['nothing', 'none']] as const) {
      test(`locked during the call: ${what} ends it with the locked message, denied`, async () => {
        const { client, sim } = world;
        const number = `+822319${String(7700 + ['right', '0#', 'none'].indexOf(keys)).padStart(4, '0')}`;
        const customerId = `cust-live-lock-${db}-${keys === '0#' ? 'repeat' : keys}`;
        await enroll(client, customerId, number);
        const challenge = await arsChallenge(client, customerId);
        const call = await waitForAsk(sim, number);
        await lockElsewhere(customerId);
        if (keys !== 'none') await press(sim, call.sid, keys === 'right' ? answerFor(call.prompt) : keys);
        const done = await waitForStatus(client, challenge.id, 15_000);
        assert.equal(done.status, 'denied');
        assert.equal(done.result.reason, 'too_many_failures');
        const ended = await eventually(async () => (await callsTo(sim, number)).find((c: any) => c.sid === call.sid && c.endedAt));
        assert.ok(ended.transcript.some((text: string) => text.includes('phone confirmation is now locked')));
        const summary = await client.request<any>('GET', `/v1/customers/${customerId}`);
        assert.equal(summary.body.ars.locked, true, 'a right answer never lifts the lock');
        assert.equal(summary.body.ars.consecutiveFailures, 5, 'nor resets the count');
      });
    }
  });
}
