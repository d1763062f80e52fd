// Before every attempt the number is vetted again and the call caps are asked (SPEC §8): a refusal
// ends the challenge without dialing. Also: calls are spaced by the policy's callsPerSecond.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { arsModule } from '../../src/channels/ars/ars-module.ts';
import type { CallCaps, NumberVetter, NumberVetting } from '../../src/channels/ars/number-vetting.ts';
import { NumberingPlanVetter } from '../../src/channels/ars/numbering-plan-vetter.ts';
import { arsChallenge, callsTo, enroll, setArsPolicy, startArsWorld, waitForStatus, type ArsWorld } from './ars-fixture.ts';

/** Says "forwarded" for numbers it is told about, once enrollment is done: forwarding switched on later. */
class ForwardingSwitch implements NumberVetter {
  readonly forwarded = new Set<string>();
  readonly purposes: string[] = [];
  private readonly plan = new NumberingPlanVetter();
  async vet(input: Parameters<NumberVetter['vet']>[0]): Promise<NumberVetting> {
    this.purposes.push(input.purpose);
    const verdict = await this.plan.vet(input);
    if (!this.forwarded.has(input.e164)) return verdict;
    return { ...verdict, eligible: false, callForwarding: true, reasons: ['call_forwarding_active', ...verdict.reasons] };
  }
}

class CountingCaps implements CallCaps {
  refuse = false;
  reserved = 0;
  async reserve() {
    if (this.refuse) return { allowed: false as const, reason: 'call_cap_reached' as const, cap: 'customer_hour' as const };
    this.reserved += 1;
    return { allowed: true as const };
  }
}

for (const db of dbKinds) {
  describe(`ARS number vetting and call caps before every call (${db})`, () => {
    let world: ArsWorld;
    const vetter = new ForwardingSwitch();
    const caps = new CountingCaps();
    before(async () => {
      world = await startArsWorld({ db, server: { modules: [arsModule({ vetter, caps })] } });
    });
    after(() => world.close());

    test('forwarding switched on after enrollment: failed / number_ineligible, nothing dialed', async () => {
      const { client, sim, server, tenantId } = world;
      const number = '+8223193460';
      await enroll(client, 'cust-forwarded', number);
      assert.deepEqual(vetter.purposes, ['enrollment']);
      vetter.forwarded.add(number);
      const challenge = await arsChallenge(client, 'cust-forwarded');
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.result.reason, 'number_ineligible');
      assert.equal((await callsTo(sim, number)).length, 0);
      assert.ok(vetter.purposes.includes('call'));
      const audit = JSON.stringify((await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=ars.number_vetted`)).body);
      assert.match(audit, /call_forwarding_active/);
      assert.ok(!audit.includes('3193460'), 'the audit holds the masked number only');
    });

    test('a refused call cap: failed / call_cap_reached, nothing dialed', async () => {
      const { client, sim } = world;
      const number = '+8223193461';
      await enroll(client, 'cust-capped', number);
      caps.refuse = true;
      try {
        const challenge = await arsChallenge(client, 'cust-capped');
        const done = await waitForStatus(client, challenge.id);
        assert.equal(done.result.reason, 'call_cap_reached');
        assert.equal((await callsTo(sim, number)).length, 0);
      } finally {
        caps.refuse = false;
      }
    });

    test('every attempt reserves its call against the caps', async () => {
      const { client, sim } = world;
      const number = '+8223193462';
      await enroll(client, 'cust-counted', number);
      await fetch(`${sim.url}/sim/numbers/${encodeURIComponent(number)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: 'busy' }) });
      const before = caps.reserved;
      const challenge = await arsChallenge(client, 'cust-counted');
      assert.equal((await waitForStatus(client, challenge.id)).result.reason, 'unreachable');
      assert.equal(caps.reserved - before, 3);
    });
  });

  describe(`ARS calls are spaced by callsPerSecond (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db, ars: { callsPerSecond: 4 } });
    });
    after(() => world.close());

    test('four challenges at once are dialed about 250 ms apart', async () => {
      const { client, sim } = world;
      const numbers = ['+8223203460', '+8223203461', '+8223203462', '+8223203463'];
      for (const [index, number] of numbers.entries()) {
        await enroll(client, `cust-rate-${index}`, number);
        await fetch(`${sim.url}/sim/numbers/${encodeURIComponent(number)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: 'busy' }) });
      }
      await setArsPolicy(world.server, world.tenantId, { callAttempts: 1 });
      await new Promise((resolve) => setTimeout(resolve, 2100)); // the policy cache
      const challenges = await Promise.all(numbers.map((_, index) => arsChallenge(client, `cust-rate-${index}`)));
      await Promise.all(challenges.map((challenge) => waitForStatus(client, challenge.id)));
      const created = (await Promise.all(numbers.map(async (number) => (await callsTo(sim, number))[0].createdAt as string))).map((at) => Date.parse(at)).sort((a, b) => a - b);
      for (let index = 1; index < created.length; index += 1) assert.ok(created[index]! - created[index - 1]! >= 200, `calls ${index - 1} and ${index} were ${created[index]! - created[index - 1]!} ms apart`);
    });

    test('a long wait for a slot moves the job to delayed, and it dials on its slot', async () => {
      const { client, sim } = world;
      await setArsPolicy(world.server, world.tenantId, { callsPerSecond: 0.4 });
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const numbers = ['+8223203460', '+8223203461'];
      const [first, second] = await Promise.all([arsChallenge(client, 'cust-rate-0'), arsChallenge(client, 'cust-rate-1')]);
      await Promise.all([first, second].map((challenge) => waitForStatus(client, challenge.id)));
      const created = (await Promise.all(numbers.map(async (number) => (await callsTo(sim, number))[1].createdAt as string))).map((at) => Date.parse(at)).sort((a, b) => a - b);
      assert.ok(created[1]! - created[0]! >= 2000, `${created[1]! - created[0]!} ms apart`);
    });
  });
}
