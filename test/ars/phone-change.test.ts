// A changed ARS phone (docs/ars-channel.md "A changed number"): the number-change cooldown survives
// erasure (a keyed hash of the tenant and customer, nothing personal), runs on the injectable clock
// (moved past its boundary, never slept), and the old number gets a notification call whose `9`
// suspends the new number and sends the bank exactly one customer.phone_change_disputed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { eventually, middayClockOffsetMs, transferBody } from '../support/test-server.ts';
import { JumpClock } from '../../src/time/clock.ts';
import { flushAudit } from '../../src/audit/audit-log.ts';
import { notificationNumbersOf } from '../../src/channels/ars/notification-phone.ts';
import { accountSid, answerFor, callsTo, postWebhook, enroll, press, simJson, startArsWorld, waitForAsk, waitForStatus, type ArsWorld } from './ars-fixture.ts';

const dayMs = 86_400_000;
const number = (n: number) => `+822312${String(5500 + n).padStart(4, '0')}`;

for (const db of dbKinds) {
  describe(`a changed ARS phone (${db})`, () => {
    let world: ArsWorld;
    const time = new JumpClock(middayClockOffsetMs());
    before(async () => {
      world = await startArsWorld({ db, server: { clock: time.now }, ars: { numberChangeCooldownDays: 7 } });
      await world.server.admin('PUT', `/admin/v1/tenants/${world.tenantId}`, { defaultCallbackUrl: 'http://127.0.0.1:9/never' });
    });
    after(() => world.close());

    const line = (phone: string, answer = 'human') => simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(phone)}`, { lineType: 'landline', callForwarding: false, answer });
    const arsRefusal = async (customerId: string) => {
      const created = await world.client.createChallenge<any>(transferBody({ customerId, channels: ['ars'], locale: 'en-US' }));
      assert.equal(created.status, 201);
      if (created.body.status === 'pending') return { pending: created.body };
      return { reason: created.body.result.details.unavailable.find((u: any) => u.channel === 'ars')?.reason };
    };
    const disputedEvents = async (customerId: string) =>
      (await world.server.running.context.db.query<any>("SELECT payload FROM webhook_deliveries WHERE tenant_id = $1 AND event_type = 'customer.phone_change_disputed'", [world.tenantId])).rows
        .map((row) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload))
        .filter((payload) => payload.data.customerId === customerId);

    test('erased and enrolled again with another number: still in the 7-day cooldown, which ends on the clock', async () => {
      const [first, second] = [number(1), number(2)];
      await line(first);
      await line(second);
      await enroll(world.client, 'cust-erased', first);
      assert.equal((await world.client.request('DELETE', '/v1/customers/cust-erased')).status, 204);
      const again = await world.client.request<any>('PUT', '/v1/customers/cust-erased/phone', { number: second });
      assert.equal(again.status, 200);
      assert.ok(again.body.callableFrom, 'the enrolment after erasure is a number change');
      const marks = await world.server.running.context.db.query<any>('SELECT * FROM ars_number_change_marks WHERE tenant_id = $1', [world.tenantId]);
      assert.equal(marks.rows.length, 1);
      assert.ok(!JSON.stringify(marks.rows).includes('cust-erased'), 'nothing personal is kept: only a keyed hash');
      assert.ok(Math.abs(Date.parse(again.body.callableFrom) - (time.now().getTime() + 7 * dayMs)) < 60_000);
      await world.client.request('PUT', '/v1/customers/cust-erased/knowledge-secret', { secret: '20478153' });
      assert.equal((await arsRefusal('cust-erased')).reason, 'number_recently_changed');
      time.advance(7 * dayMs - 120_000);
      assert.equal((await arsRefusal('cust-erased')).reason, 'number_recently_changed', 'two minutes before the end');
      time.advance(240_000);
      const { pending } = await arsRefusal('cust-erased');
      assert.ok(pending, 'past the boundary ARS is offered again');
      // The call-time vetting reads the same clock: the call rings and the customer approves.
      const call = await waitForAsk(world.sim, second);
      await press(world.sim, call.sid, answerFor(call.prompt));
      assert.equal((await waitForStatus(world.client, pending.id)).status, 'approved');
      assert.equal((await callsTo(world.sim, first)).length, 0, 'the erased number is never called');
    });

    test('the old number is called; 9 suspends the new number and sends exactly one customer.phone_change_disputed', async () => {
      const [old, fraudster] = [number(3), number(4)];
      await line(old);
      await line(fraudster);
      await enroll(world.client, 'cust-swapped', old);
      const changed = await world.client.request<any>('PUT', '/v1/customers/cust-swapped/phone', { number: fraudster, locale: 'en-US' });
      assert.equal(changed.status, 200);
      const notice = await waitForAsk(world.sim, old);
      const heard = [...notice.transcript, notice.prompt].join(' ');
      assert.match(heard, /Test Bank/);
      assert.match(heard, /phone number for bank confirmations was changed/i);
      assert.match(notice.prompt, /press 9/i);
      assert.doesNotMatch(heard, /5504/, 'no digits of the new number');
      const before = notice.transcript.length;
      await press(world.sim, notice.sid, '0');
      const again = await eventually(async () => {
        const call = (await callsTo(world.sim, old))[0];
        return call?.awaitingDigits && call.transcript.length > before ? call : undefined;
      }, 10_000, 'the notice again');
      assert.match(again.prompt, /press 9/i);
      await press(world.sim, notice.sid, '9');
      const ended = await eventually(async () => {
        const call = (await callsTo(world.sim, old))[0];
        return call?.status === 'completed' ? call : undefined;
      }, 10_000, 'the call to end');
      assert.match(ended.transcript.join(' '), /suspended/i, 'the suspension is said back');
      const events = await eventually(async () => {
        const found = await disputedEvents('cust-swapped');
        return found.length > 0 ? found : undefined;
      }, 10_000, 'the event');
      assert.equal(events.length, 1);
      assert.equal(events[0].data.phone, '+82 2-***-5504');
      assert.ok(!JSON.stringify(events[0]).includes(fraudster.slice(3)) && !JSON.stringify(events[0]).includes(old.slice(3)), 'no full number in the event');
      const summary = await world.client.request<any>('GET', '/v1/customers/cust-swapped');
      assert.equal(summary.body.phone.suspended, true);
      assert.equal((await arsRefusal('cust-swapped')).reason, 'phone_suspended');
      assert.equal((await callsTo(world.sim, fraudster)).length, 0, 'the suspended number is never called');
      const { envelope } = world.server.running.context;
      assert.deepEqual(await notificationNumbersOf(world.server.running.context.db, envelope, world.tenantId, 'cust-swapped'), [], 'nor by the notification calls of held transfers');
      // A retried webhook or another 9 changes nothing: still one event.
      const row = (await world.server.running.context.db.query<any>('SELECT id, ask_seq FROM ars_phone_change_notices WHERE tenant_id = $1 AND customer_id = $2', [world.tenantId, 'cust-swapped'])).rows[0];
      assert.ok(row);
      const gather = `/twilio/phone-change/${world.tenantId}/${row.id}/gather`;
      for (const ask of [row.ask_seq - 1, row.ask_seq]) {
        const replay = await postWebhook(world.server.url, `${gather}?ask=${ask}`, { CallSid: notice.sid, AccountSid: accountSid, Digits: '9' });
        assert.equal(replay.status, 200);
      }
      assert.equal((await disputedEvents('cust-swapped')).length, 1);
      const { db } = world.server.running.context;
      await flushAudit(db);
      const audit = await db.query<any>("SELECT action FROM audit_log WHERE tenant_id = $1 AND subject = 'cust-swapped' ORDER BY seq", [world.tenantId]);
      assert.ok(audit.rows.some((entry) => entry.action === 'ars.phone_change_disputed'));
      // The admin restores the number (unlock): ARS takes it again once its cooldown ends.
      const unlocked = await world.server.admin<any>('POST', `/admin/v1/tenants/${world.tenantId}/customers/cust-swapped/unlock`, { reason: 'the customer called: the change was theirs' });
      assert.equal(unlocked.status, 200);
      assert.equal((await world.client.request<any>('GET', '/v1/customers/cust-swapped')).body.phone.suspended, false);
      assert.equal((await arsRefusal('cust-swapped')).reason, 'number_recently_changed');
      const stored = await db.query<any>('SELECT old_phone_enc FROM ars_phone_change_notices WHERE id = $1', [row.id]);
      assert.equal(stored.rows[0].old_phone_enc, null, 'the old number is forgotten once its call ended');
    });

    test('the old number is vetted and budgeted like any call: forwarded since, it is not rung (number_ineligible); over the cap, neither (call_cap_reached)', async () => {
      const noticeOutcome = async (customerId: string) =>
        eventually(async () => {
          const rows = (await world.server.running.context.db.query<any>('SELECT status, outcome, old_phone_enc FROM ars_phone_change_notices WHERE tenant_id = $1 AND customer_id = $2', [world.tenantId, customerId])).rows;
          return rows[0]?.status === 'ended' ? rows[0] : undefined;
        }, 70_000, 'the notice to end');
      const [forwarded, next] = [number(7), number(8)];
      await line(forwarded);
      await line(next);
      await enroll(world.client, 'cust-forwarded', forwarded);
      // The thief switched forwarding on at the old number to take the warning call himself.
      await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(forwarded)}`, { lineType: 'landline', callForwarding: true, answer: 'human' });
      assert.equal((await world.client.request('PUT', '/v1/customers/cust-forwarded/phone', { number: next })).status, 200);
      const refused = await noticeOutcome('cust-forwarded');
      assert.equal(refused.outcome, 'number_ineligible');
      assert.equal(refused.old_phone_enc, null, 'the old number is forgotten');
      assert.equal((await callsTo(world.sim, forwarded)).length, 0, 'a forwarded old number is never rung');

      const [capped, other] = [number(9), number(10)];
      await line(capped);
      await line(other);
      await enroll(world.client, 'cust-capped', capped);
      const policy = await world.server.admin<any>('GET', `/admin/v1/tenants/${world.tenantId}/policy`);
      const document = structuredClone(policy.body.document);
      document.channels.ars.maxCallsPerNumberPerDay = 1;
      assert.equal((await world.server.admin('PUT', `/admin/v1/tenants/${world.tenantId}/policy`, document, { 'if-match': `"v${policy.body.version}"` })).status, 200);
      try {
        // The ARS call of a challenge used the old number's day budget.
        const { pending } = await arsRefusal('cust-capped');
        const call = await waitForAsk(world.sim, capped);
        await press(world.sim, call.sid, answerFor(call.prompt));
        assert.equal((await waitForStatus(world.client, pending.id)).status, 'approved');
        assert.equal((await world.client.request('PUT', '/v1/customers/cust-capped/phone', { number: other })).status, 200);
        assert.equal((await noticeOutcome('cust-capped')).outcome, 'call_cap_reached');
        assert.equal((await callsTo(world.sim, capped)).length, 1, 'only the ARS call');
      } finally {
        const now = await world.server.admin<any>('GET', `/admin/v1/tenants/${world.tenantId}/policy`);
        const restored = structuredClone(now.body.document);
        restored.channels.ars.maxCallsPerNumberPerDay = policy.body.document.channels.ars.maxCallsPerNumberPerDay;
        await world.server.admin('PUT', `/admin/v1/tenants/${world.tenantId}/policy`, restored, { 'if-match': `"v${now.body.version}"` });
      }
    });

    test('a machine at the old number hears nothing; nothing is suspended', async () => {
      const [old, next] = [number(5), number(6)];
      await line(old);
      await line(next);
      await enroll(world.client, 'cust-machine', old);
      await line(old, 'machine');
      assert.equal((await world.client.request('PUT', '/v1/customers/cust-machine/phone', { number: next })).status, 200);
      const call = await eventually(async () => {
        const found = (await callsTo(world.sim, old))[0];
        return found?.status === 'completed' ? found : undefined;
      }, 10_000, 'the call to the machine');
      assert.deepEqual(call.transcript, [], 'a machine hears nothing');
      assert.equal((await world.client.request<any>('GET', '/v1/customers/cust-machine')).body.phone.suspended, false);
      assert.equal((await disputedEvents('cust-machine')).length, 0);
    });
  });
}
