// test: slow, about 25 s
// Before every attempt the number is vetted again and the call caps are asked (docs/number-vetting.md): a refusal
// ends the challenge without dialing. Real number intelligence: the simulator's Lookup answers
// what PUT /sim/numbers configured, and the caps count in Redis. Also: calls are spaced by the
// policy's callsPerSecond.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { arsChallenge, callsTo, enroll, setArsPolicy, simJson, startArsWorld, waitForStatus, type ArsWorld } from './ars-fixture.ts';

for (const db of dbKinds) {
  describe(`ARS number vetting and call caps before every call (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db, server: { env: { POLICY_CACHE_MS: '0' } } });
    });
    after(() => world.close());

    test('forwarding switched on after enrollment: failed / number_ineligible, nothing dialed', async () => {
      const { client, sim, server, tenantId } = world;
      const number = '+8223193460';
      await simJson(sim, 'PUT', `/sim/numbers/${encodeURIComponent(number)}`, { lineType: 'landline', callForwarding: false });
      await enroll(client, 'cust-forwarded', number);
      await simJson(sim, 'PUT', `/sim/numbers/${encodeURIComponent(number)}`, { lineType: 'landline', callForwarding: true });
      const challenge = await arsChallenge(client, 'cust-forwarded');
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.result.reason, 'number_ineligible');
      assert.equal((await callsTo(sim, number)).length, 0);
      const audit = JSON.stringify((await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=number.vetted`)).body);
      assert.match(audit, /call_forwarding_active/);
      assert.ok(!audit.includes('3193460'), 'the audit holds the masked number only');
    });

    test('the per-customer hourly cap refuses the attempt past it: failed / call_cap_reached', async () => {
      const { client, sim, server, tenantId } = world;
      const number = '+8223193462';
      await enroll(client, 'cust-capped', number);
      await simJson(sim, 'PUT', `/sim/numbers/${encodeURIComponent(number)}`, { answer: 'busy' });
      await setArsPolicy(server, tenantId, { maxCallsPerCustomerPerHour: 2 });
      try {
        const challenge = await arsChallenge(client, 'cust-capped');
        const done = await waitForStatus(client, challenge.id);
        assert.equal(done.result.reason, 'call_cap_reached');
        assert.equal((await callsTo(sim, number)).length, 2, 'two attempts dialed, the third refused by the cap');
        const next = await arsChallenge(client, 'cust-capped');
        assert.equal((await waitForStatus(client, next.id)).result.reason, 'call_cap_reached');
        assert.equal((await callsTo(sim, number)).length, 2, 'no call at all once the hour is used up');
      } finally {
        await setArsPolicy(server, tenantId, { maxCallsPerCustomerPerHour: 100 });
      }
    });
  });

  describe(`ARS calls are spaced by callsPerSecond (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db, ars: { callsPerSecond: 4 }, server: { env: { POLICY_CACHE_MS: '0' } } });
    });
    after(() => world.close());

    // The limiter hands out one slot per 1000/callsPerSecond ms, each no earlier than the request
    // that takes it: the k-th call cannot reach the provider before start + k × interval. Asserted
    // as that lower bound (load on the machine can only delay calls, never bring them forward).
    test('four challenges at once are dialed at least 250 ms apart from the start', async () => {
      const { client, sim } = world;
      const numbers = ['+8223203460', '+8223203461', '+8223203462', '+8223203463'];
      for (const [index, number] of numbers.entries()) {
        await enroll(client, `cust-rate-${index}`, number);
        await fetch(`${sim.url}/sim/numbers/${encodeURIComponent(number)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: 'busy' }) });
      }
      await setArsPolicy(world.server, world.tenantId, { callAttempts: 1 });
      const start = Date.now();
      const challenges = await Promise.all(numbers.map((_, index) => arsChallenge(client, `cust-rate-${index}`)));
      await Promise.all(challenges.map((challenge) => waitForStatus(client, challenge.id)));
      const created = (await Promise.all(numbers.map(async (number) => (await callsTo(sim, number))[0].createdAt as string))).map((at) => Date.parse(at)).sort((a, b) => a - b);
      for (const [index, at] of created.entries()) assert.ok(at - start >= index * 250 - 5, `call ${index} placed ${at - start} ms after the start (its slot is at ${index * 250} ms)`);
    });

    test('a long wait for a slot moves the job to delayed, and it dials on its slot', async () => {
      const { client, sim } = world;
      await setArsPolicy(world.server, world.tenantId, { callsPerSecond: 0.4 });
      const numbers = ['+8223203460', '+8223203461'];
      const start = Date.now();
      const [first, second] = await Promise.all([arsChallenge(client, 'cust-rate-0'), arsChallenge(client, 'cust-rate-1')]);
      await Promise.all([first, second].map((challenge) => waitForStatus(client, challenge.id)));
      const created = (await Promise.all(numbers.map(async (number) => (await callsTo(sim, number))[1].createdAt as string))).map((at) => Date.parse(at)).sort((a, b) => a - b);
      // 0.4 calls per second: the second slot is 2.5 s after the first, far past the 2 s that are slept.
      assert.ok(created[1]! - start >= 2500 - 5, `the second call was placed ${created[1]! - start} ms after the start (its slot is at 2500 ms)`);
    });
  });
}
