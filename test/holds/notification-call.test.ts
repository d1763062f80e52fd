// test: slow, about 21 s
// The notification call on the telephony simulator (docs/holds.md, docs/call-script.md "The notification
// call"). The vishing scenario end to end: a coached customer approves the ARS call, the phone rings
// again at once, the notice is read, `9` stops the transfer (and says so), and the bank gets
// challenge.hold_stopped — never challenge.hold_released. Times come from the clock the test moves.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../support/test-server.ts';
import { answerFor, arsChallenge, callsTo, enroll, press, seoulLandline, setArsPolicy, simJson, startArsWorld, waitForAsk, waitForStatus, type ArsWorld } from '../ars/ars-fixture.ts';
import { changePolicy, eventTypes, holdPolicy, movableClock } from './hold-support.ts';

const number = (n: number) => `+822312${String(3400 + n).padStart(4, '0')}`;

describe('notification call (simulator)', () => {
  let world: ArsWorld;
  const time = movableClock();
  before(async () => {
    world = await startArsWorld({ server: { clock: time.clock } });
    await world.server.admin('PUT', `/admin/v1/tenants/${world.tenantId}`, { defaultCallbackUrl: 'http://127.0.0.1:9/never' });
    await changePolicy(world.server, world.tenantId, (document) => {
      document.hold = holdPolicy({ appliesTo: ['approved'], notifyCallsAfterSeconds: [0, 1200] });
      document.grades = { later: { hold: { notifyCallsAfterSeconds: [60, 1200] } } };
    });
  });
  after(() => world.close());

  /** Enrols the customer on `phone`, lets the coached customer approve the ARS call; returns the approved challenge. */
  async function coachedApproval(customerId: string, phone: string, locale = 'en-US', context: Record<string, unknown> = {}): Promise<any> {
    await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(phone)}`, { lineType: 'landline', callForwarding: false, answer: 'human' });
    await enroll(world.client, customerId, phone);
    const challenge = await arsChallenge(world.client, customerId, { locale, context });
    const call = await waitForAsk(world.sim, phone, 0);
    await press(world.sim, call.sid, answerFor(call.prompt));
    const approved = await waitForStatus(world.client, challenge.id);
    assert.equal(approved.status, 'approved');
    assert.equal(approved.hold.state, 'held');
    return approved;
  }

  const challengeOf = async (id: string) => (await world.client.getChallenge<any>(id)).body;

  test('vishing: coached approval → the phone rings again → the notice → 9 stops it → hold_stopped, never hold_released', async () => {
    const phone = number(1);
    const approved = await coachedApproval('cust-vished', phone);
    const notice = await waitForAsk(world.sim, phone, 1);
    const heard = [...notice.transcript, notice.prompt].join(' ');
    assert.match(heard, /Test Bank/);
    assert.match(heard, /three million five hundred thousand won/, 'the amount in words');
    assert.match(heard, /four, five, six, seven, eight, nine/, 'the account digit by digit');
    assert.match(heard, /never ask/i, 'banks and investigators never ask anyone to move money');
    assert.match(notice.prompt, /press 9/i);
    assert.match(notice.prompt, /someone on the phone told you/i);
    await press(world.sim, notice.sid, '9');
    const stopped = await eventually(async () => {
      const read = await challengeOf(approved.id);
      return read.hold.state === 'stopped' ? read : undefined;
    }, 10_000, 'the hold to stop');
    assert.equal(stopped.status, 'approved');
    assert.equal(stopped.hold.stoppedBy, 'customer');
    const ended = await eventually(async () => {
      const call = (await callsTo(world.sim, phone))[1];
      return call?.status === 'completed' ? call : undefined;
    }, 10_000, 'the notification call to end');
    assert.match(ended.transcript.join(' '), /stopped/i, 'the stop is said back');
    await eventually(async () => ((await challengeOf(approved.id)).hold.notifications.length > 0 ? true : undefined), 10_000, 'the call outcome');
    assert.deepEqual((await challengeOf(approved.id)).hold.notifications.map((n: any) => [n.channel, n.outcome]), [['call', 'stopped']]);
    // Past the release time, the sweep and the job release nothing; the later call is not placed.
    time.to(approved.hold.releaseAt, 1000);
    await world.server.running.context.holds.sweep();
    assert.equal((await challengeOf(approved.id)).hold.state, 'stopped');
    assert.equal((await callsTo(world.sim, phone)).length, 2, 'no call after the stop');
    assert.deepEqual(await eventTypes(world.server, approved.id), ['challenge.approved', 'challenge.hold_stopped']);
  });

  test('0 repeats the notice; another key leaves the transfer as it is, and later calls are not needed', async () => {
    const phone = number(2);
    const approved = await coachedApproval('cust-repeat', phone);
    const notice = await waitForAsk(world.sim, phone, 1);
    const before = notice.transcript.length;
    await press(world.sim, notice.sid, '0');
    const again = await eventually(async () => {
      const call = (await callsTo(world.sim, phone))[1];
      return call?.awaitingDigits && call.transcript.length > before ? call : undefined;
    }, 10_000, 'the notice again');
    assert.match(again.prompt, /press 9/i);
    await press(world.sim, notice.sid, '1');
    await eventually(async () => ((await challengeOf(approved.id)).hold.notifications.length > 0 ? true : undefined), 10_000, 'the call outcome');
    const read = await challengeOf(approved.id);
    assert.equal(read.hold.state, 'held');
    assert.deepEqual(read.hold.notifications.map((n: any) => n.outcome), ['heard']);
    // The second call (1200 s later) is skipped: the customer heard the first one.
    time.advance(1300);
    await world.server.running.context.holds.sweep();
    assert.equal((await callsTo(world.sim, phone)).length, 2);
  });

  test('silence hears the notice once more, then the call ends and the later call still rings', async () => {
    const phone = number(4);
    const approved = await coachedApproval('cust-silent', phone);
    // The notice, then the flow's own gather timeout twice (the customer's real seconds to press).
    await eventually(async () => ((await challengeOf(approved.id)).hold.notifications.length > 0 ? true : undefined), 60_000, 'the call outcome');
    const call = (await callsTo(world.sim, phone))[1];
    assert.equal(call.transcript.filter((line: string) => /press 9/.test(line)).length, 2, 'the ask twice');
    assert.match(call.transcript.at(-2), /sent as scheduled/);
    assert.deepEqual((await challengeOf(approved.id)).hold.notifications.map((n: any) => n.outcome), ['no_key']);
    time.advance(1300);
    await world.server.running.context.holds.sweep();
    await waitForAsk(world.sim, phone, 2);
  });

  test('a machine answer hears nothing and the next call follows; an unsure detection asks for a key first (ko-KR)', async () => {
    const phone = number(3);
    // This grade is first called a minute after the approval, so the test can change the phone before.
    const approved = await coachedApproval('cust-machine', phone, 'ko-KR', { grade: 'later' });
    assert.equal((await callsTo(world.sim, phone)).length, 1, 'no notification call yet');
    await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(phone)}`, { lineType: 'landline', callForwarding: false, answer: 'machine' });
    time.advance(61);
    await world.server.running.context.holds.sweep();
    await eventually(async () => ((await challengeOf(approved.id)).hold.notifications.length === 1 ? true : undefined), 10_000, 'the first call outcome');
    const machine = (await callsTo(world.sim, phone))[1];
    assert.match(machine.answeredBy, /^machine/);
    assert.deepEqual(machine.transcript, [], 'a machine hears nothing');
    assert.deepEqual((await challengeOf(approved.id)).hold.notifications.map((n: any) => n.outcome), ['machine']);

    await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(phone)}`, { lineType: 'landline', callForwarding: false, answer: 'unknown' });
    time.advance(1200);
    await world.server.running.context.holds.sweep();
    const check = await waitForAsk(world.sim, phone, 2);
    assert.match(check.prompt, /1번/);
    assert.doesNotMatch([...check.transcript, check.prompt].join(' '), /삼백오십만/, 'nothing about the transfer before a key');
    await press(world.sim, check.sid, '1');
    const notice = await eventually(async () => {
      const call = (await callsTo(world.sim, phone))[2];
      return call?.awaitingDigits && /9번/.test(call.prompt) ? call : undefined;
    }, 10_000, 'the notice after the key');
    assert.match([...notice.transcript, notice.prompt].join(' '), /삼백오십만 원/);
    await press(world.sim, notice.sid, '9');
    await eventually(async () => ((await challengeOf(approved.id)).hold.state === 'stopped' ? true : undefined), 10_000, 'the stop');
    assert.deepEqual(await eventTypes(world.server, approved.id), ['challenge.approved', 'challenge.hold_stopped']);
  });

  test('before each notification call the number is vetted again: forwarding switched on since means no call (number_ineligible)', async () => {
    const phone = number(5);
    const approved = await coachedApproval('cust-forwarded', phone, 'en-US', { grade: 'later' });
    await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(phone)}`, { lineType: 'landline', callForwarding: true, answer: 'human' });
    time.advance(61);
    await world.server.running.context.holds.sweep();
    await eventually(async () => ((await challengeOf(approved.id)).hold.notifications.length === 1 ? true : undefined), 10_000, 'the refusal');
    assert.deepEqual((await challengeOf(approved.id)).hold.notifications.map((n: any) => n.outcome), ['number_ineligible']);
    assert.equal((await callsTo(world.sim, phone)).length, 1, 'only the ARS call: the forwarded number is not rung');
    assert.equal((await challengeOf(approved.id)).hold.state, 'held');
  });

  test('an ARS phone changed within its cooldown is not rung (number_recently_changed); a notification-only phone is rung instead', async () => {
    const [phone, fraudster, landline] = [number(7), number(8), number(9)];
    await setArsPolicy(world.server, world.tenantId, { numberChangeCooldownDays: 7 });
    try {
      const approved = await coachedApproval('cust-swapped-held', phone, 'en-US', { grade: 'later' });
      // The fraudster's number replaces the customer's after the approval, before the first notice.
      await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(fraudster)}`, { lineType: 'landline', callForwarding: false, answer: 'human' });
      assert.equal((await world.client.request('PUT', '/v1/customers/cust-swapped-held/phone', { number: fraudster })).status, 200);
      time.advance(61);
      await world.server.running.context.holds.sweep();
      await eventually(async () => ((await challengeOf(approved.id)).hold.notifications.length === 1 ? true : undefined), 10_000, 'the refusal');
      assert.deepEqual((await challengeOf(approved.id)).hold.notifications.map((n: any) => n.outcome), ['number_recently_changed']);
      assert.equal((await callsTo(world.sim, fraudster)).length, 0, 'the number changed in the cooldown is not told about the transfer');
      // A notification-only phone enrolled since is the one the next call rings.
      await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(landline)}`, { lineType: 'landline', callForwarding: false, answer: 'human' });
      assert.equal((await world.client.request('PUT', '/v1/customers/cust-swapped-held/notification-phone', { number: landline })).status, 200);
      time.advance(1200);
      await world.server.running.context.holds.sweep();
      const notice = await waitForAsk(world.sim, landline, 0);
      assert.match(notice.prompt, /press 9/i);
      assert.equal((await callsTo(world.sim, fraudster)).length, 0);
    } finally {
      await setArsPolicy(world.server, world.tenantId, { numberChangeCooldownDays: 0 });
    }
  });

  test("a notification call takes from the customer's call budget: over the cap it is not placed (call_cap_reached)", async () => {
    const phone = number(6);
    await setArsPolicy(world.server, world.tenantId, { maxCallsPerCustomerPerHour: 1 });
    try {
      const approved = await coachedApproval('cust-capped', phone);
      await eventually(async () => ((await challengeOf(approved.id)).hold.notifications.length === 1 ? true : undefined), 10_000, 'the refusal');
      assert.deepEqual((await challengeOf(approved.id)).hold.notifications.map((n: any) => n.outcome), ['call_cap_reached']);
      assert.equal((await callsTo(world.sim, phone)).length, 1, 'the ARS call used the budget');
    } finally {
      await setArsPolicy(world.server, world.tenantId, { maxCallsPerCustomerPerHour: 100 });
    }
  });
});
