// Issue 4 item 6, before each call (docs/number-vetting.md "Number vetting", "Call caps"): the place-call job vets
// the number again and reserves the call caps; a refusal ends the challenge failed without dialing
// (the simulator sees no call) and the bank's signed event says why in result.details. Each test has
// its own tenant (policy without the cache wait; its own caps and Lookup cache) and numbers.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { arsChallenge, callsTo, enroll, startArsWorld, waitForStatus, type ArsWorld } from '../ars/ars-fixture.ts';
import { assertNeverDialed, assertNumberHidden, configureNumber, startEventSink, tenantWithArs, vettingAudit, waitForDial, type EventSink } from './ars-e2e-fixture.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import { transferBody } from '../support/test-server.ts';

/** Ends a challenge whose call was placed (the call is hung up) and returns it. */
async function cancelAfterDial(client: StepupClient, challengeId: string): Promise<void> {
  const canceled = await client.cancelChallenge<any>(challengeId);
  assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
}

for (const db of dbKinds) {
  describe(`ARS vetting and caps before every call, through the simulator (${db})`, () => {
    let world: ArsWorld;
    const sinks: EventSink[] = [];
    const eventSink = async (webhookSecret: string) => {
      const sink = await startEventSink(webhookSecret);
      sinks.push(sink);
      return sink;
    };
    before(async () => {
      world = await startArsWorld({ db });
    });
    /** Verification calls to `number`: not the call that tells an old number of a change (docs/ars-channel.md "A changed number"). */
    const verificationCallsTo = async (number: string) => (await waitForDial(world.sim, number, 0)).filter((call: any) => !String(call.url).includes('/twilio/phone-change/')).length;
    after(async () => {
      await Promise.all(sinks.map((sink) => sink.close()));
      await world.close();
    });

    test('forwarding switched on after enrollment: no call, and the signed event says call_forwarding_active', async () => {
      const tenant = await tenantWithArs(world);
      const sink = await eventSink(tenant.webhookSecret);
      const number = '+8225123001';
      await configureNumber(world.sim, number, { callForwarding: false });
      await enroll(tenant.client, 'cust-fwd-later', number);
      await configureNumber(world.sim, number, { callForwarding: true });

      const challenge = await arsChallenge(tenant.client, 'cust-fwd-later', { callbackUrl: sink.url });
      const done = await waitForStatus(tenant.client, challenge.id);
      assert.equal(done.status, 'failed');
      assert.deepEqual(done.result.details, { reasons: ['call_forwarding_active'] });
      assert.equal(done.result.reason, 'number_ineligible');
      await assertNeverDialed(world.sim, number);

      const { event, body } = await sink.eventFor(challenge.id);
      assert.equal(event.type, 'challenge.failed');
      assert.equal(event.data.status, 'failed');
      assert.equal(event.data.result.reason, 'number_ineligible');
      assert.deepEqual(event.data.result.details, { reasons: ['call_forwarding_active'] });
      assert.equal(event.data.channelDetails.phone, '+82 2-***-3001');
      assertNumberHidden(body, number, 'the event');
      assert.equal(sink.forged, 0);

      const [enrollment, call] = await vettingAudit(world.server, tenant.tenantId);
      assert.deepEqual([enrollment.data.purpose, enrollment.data.callForwarding], ['enrollment', false]);
      assert.deepEqual([call.data.purpose, call.data.callForwarding, call.data.reasons], ['call', true, ['call_forwarding_active']]);
      assert.equal(call.data.sources.find((source: any) => source.source === 'twilio_lookup').cachedParts?.includes('forwarding') ?? false, false, 'a call never reuses a forwarding answer');
      const failedAudit = (await world.server.admin('GET', `/admin/v1/audit?tenantId=${tenant.tenantId}&action=challenge.failed`)).body.entries[0];
      assert.deepEqual(failedAudit.data.reasons, ['call_forwarding_active']);
    });

    test('cooldown: a changed number gets no call until numberChangeCooldownDays pass; the first number is not in cooldown', async () => {
      const { client, tenantId } = await tenantWithArs(world); // default cooldown: 7 days
      const [first, second] = ['+8225123010', '+8225123011'];
      await enroll(client, 'cust-cool', first);
      const before = await arsChallenge(client, 'cust-cool');
      await waitForDial(world.sim, first);
      await cancelAfterDial(client, before.id);

      await enroll(client, 'cust-cool', second);
      // Within the cooldown ARS is not eligible at channel choice (another enrolled channel would
      // take the challenge); with ARS only, the challenge fails at once and says why.
      const after = await client.createChallenge<any>(transferBody({ customerId: 'cust-cool', channels: ['ars'] }));
      assert.equal(after.status, 201);
      assert.equal(after.body.status, 'failed');
      assert.equal(after.body.result.reason, 'no_eligible_channel');
      assert.deepEqual(after.body.result.details, { unavailable: [{ channel: 'ars', reason: 'number_recently_changed' }] });
      await assertNeverDialed(world.sim, second);
      await waitForDial(world.sim, first, 2); // the call that tells the old number of the change
      assert.equal(await verificationCallsTo(first), 1, 'nor the old number: no verification call');
      const summary = await client.request<any>('GET', '/v1/customers/cust-cool');
      assert.ok(summary.body.phone.numberChangedAt, 'the change is recorded');

      const purposes = (await vettingAudit(world.server, tenantId)).map((entry) => [entry.data.purpose, entry.data.eligible, entry.data.reasons]);
      assert.deepEqual(purposes, [
        ['enrollment', true, []],
        ['call', true, []],
        ['enrollment', true, []], // the change itself is accepted: the cooldown bars calls
        ['call', true, []], // the old number, vetted before it is told of the change
      ]);
    });

    test('cooldown 0: a changed number is called at once', async () => {
      const { client } = await tenantWithArs(world, { numberChangeCooldownDays: 0 });
      const [first, second] = ['+8225123020', '+8225123021'];
      await enroll(client, 'cust-nocool', first);
      await enroll(client, 'cust-nocool', second);
      const challenge = await arsChallenge(client, 'cust-nocool');
      await waitForDial(world.sim, second);
      await cancelAfterDial(client, challenge.id);
      await waitForDial(world.sim, first, 1); // the call that tells the old number of the change
      assert.equal(await verificationCallsTo(first), 0, 'no verification call to the old number');
    });

    test('maxCallsPerNumberPerDay counts calls to one number across customers; other numbers are still called', async () => {
      const tenant = await tenantWithArs(world, { maxCallsPerNumberPerDay: 2, callAttempts: 1 });
      const sink = await eventSink(tenant.webhookSecret);
      const { client } = tenant;
      const shared = '+8225123030';
      const other = '+8225123031';
      await configureNumber(world.sim, shared, { answer: 'busy' });
      await configureNumber(world.sim, other, { answer: 'busy' });
      await enroll(client, 'cust-home-a', shared);
      await enroll(client, 'cust-home-b', shared);
      await enroll(client, 'cust-elsewhere', other);

      for (const customerId of ['cust-home-a', 'cust-home-b']) {
        const challenge = await arsChallenge(client, customerId);
        assert.equal((await waitForStatus(client, challenge.id)).result.reason, 'unreachable', 'dialed, busy');
      }
      assert.equal((await callsTo(world.sim, shared)).length, 2);

      const capped = await arsChallenge(client, 'cust-home-a', { callbackUrl: sink.url });
      const done = await waitForStatus(client, capped.id);
      assert.equal(done.result.reason, 'call_cap_reached');
      assert.deepEqual(done.result.details, { cap: 'number_day' });
      assert.equal((await callsTo(world.sim, shared)).length, 2, 'the third call to the number was not placed');
      const { event, body } = await sink.eventFor(capped.id);
      assert.deepEqual(event.data.result.details, { cap: 'number_day' });
      assertNumberHidden(body, shared, 'the event');

      const elsewhere = await arsChallenge(client, 'cust-elsewhere');
      assert.equal((await waitForStatus(client, elsewhere.id)).result.reason, 'unreachable');
      assert.equal((await callsTo(world.sim, other)).length, 1, 'another number has its own budget');
    });

    test('maxCallsPerCustomerPerHour follows the customer to a new number', async () => {
      // Complements test/ars/vetting-and-caps.test.ts (retries of one challenge against the cap):
      // changing the number does not reset the customer's budget.
      const { client } = await tenantWithArs(world, { maxCallsPerCustomerPerHour: 1, callAttempts: 1, numberChangeCooldownDays: 0 });
      const [first, second] = ['+8225123040', '+8225123041'];
      await configureNumber(world.sim, first, { answer: 'busy' });
      await enroll(client, 'cust-hop', first);
      const called = await arsChallenge(client, 'cust-hop');
      assert.equal((await waitForStatus(client, called.id)).result.reason, 'unreachable');

      await enroll(client, 'cust-hop', second);
      const capped = await arsChallenge(client, 'cust-hop');
      const done = await waitForStatus(client, capped.id);
      assert.equal(done.result.reason, 'call_cap_reached');
      assert.deepEqual(done.result.details, { cap: 'customer_hour' });
      await assertNeverDialed(world.sim, second);
      assert.equal(await verificationCallsTo(first), 1);
    });
  });
}
