// The notification phone (docs/holds.md, "The notification phone"): a customer without an ARS phone
// enrols one for notifications only — landline or mobile (a notification is not a verification), never
// forwarded, VoIP or premium — and the notification call of a held transfer rings it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../support/test-server.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import { transferBody } from '../support/test-server.ts';
import { callsTo, simJson, startArsWorld, waitForAsk, type ArsWorld } from '../ars/ars-fixture.ts';
import { changePolicy, holdPolicy, movableClock } from './hold-support.ts';

describe('notification phone', () => {
  let world: ArsWorld;
  const time = movableClock();
  const manual = new ManualChannel('otp', new Set(['cust-mobile-only']));
  before(async () => {
    world = await startArsWorld({ server: { clock: time.clock, channels: [manual] } });
    await changePolicy(world.server, world.tenantId, (document) => (document.hold = holdPolicy({ notifyCallsAfterSeconds: [0] })));
  });
  after(() => world.close());

  const put = (customerId: string, number: string, body: unknown = { number }) => world.client.request<any>('PUT', `/v1/customers/${customerId}/notification-phone`, body);

  test('landline or mobile are enrolled (masked); VoIP, premium, forwarded and bad input are refused and nothing is stored', async () => {
    const mobile = await put('cust-np-1', '+821041239001');
    assert.equal(mobile.status, 200, JSON.stringify(mobile.body));
    assert.deepEqual(mobile.body, { number: '+82 10-***-9001', lineType: 'mobile', callForwarding: null, eligible: true, reasons: [] });
    const landline = await put('cust-np-2', '+8224129002');
    assert.equal(landline.status, 200);
    assert.equal(landline.body.lineType, 'landline');
    const summary = await world.client.request<any>('GET', '/v1/customers/cust-np-1');
    assert.equal(summary.body.notificationPhone.number, '+82 10-***-9001');
    assert.equal(summary.body.phone, null, 'not an ARS phone');

    for (const [label, number, code] of [
      ['070 VoIP', '+827041239003', 'line_type_not_allowed'],
      ['060 premium', '+82604129004', 'line_type_never_dialed'],
    ] as const) {
      const customerId = `cust-np-${label.split(' ')[0]}`;
      const refused = await put(customerId, number);
      assert.equal(refused.status, 422, label);
      assert.equal(refused.body.code, code, label);
      assert.equal((await world.client.request('GET', `/v1/customers/${customerId}`)).status, 404, `${label}: nothing stored`);
    }
    await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent('+8224129005')}`, { lineType: 'landline', callForwarding: true, answer: 'human' });
    const forwarded = await put('cust-np-fwd', '+8224129005');
    assert.equal(forwarded.status, 422);
    assert.equal(forwarded.body.code, 'call_forwarding_active');
    const bad = await put('cust-np-bad', '', { number: '+8224129006', extra: true });
    assert.equal(bad.status, 400);
    assert.equal(JSON.stringify(mobile.body).includes('41239001'), false, 'the full number never comes back');
  });

  test('a held transfer of a customer with only a notification phone rings that phone, and 9 stops it', async () => {
    const phone = '+821041239010';
    await simJson(world.sim, 'PUT', `/sim/numbers/${encodeURIComponent(phone)}`, { lineType: 'mobile', callForwarding: false, answer: 'human' });
    assert.equal((await put('cust-mobile-only', phone)).status, 200);
    const created = await world.client.createChallenge<any>(transferBody({ customerId: 'cust-mobile-only', channels: ['otp'], locale: 'en-US' }));
    assert.equal(created.body.status, 'pending');
    await world.server.running.context.challenges.finish(world.tenantId, created.body.id, { status: 'approved', reason: 'manual_approved', actor: 'channel:otp' });
    const notice = await waitForAsk(world.sim, phone, 0);
    assert.match(notice.prompt, /press 9/);
    await simJson(world.sim, 'POST', `/sim/calls/${notice.sid}/digits`, { digits: '9' });
    await eventually(async () => ((await world.client.getChallenge<any>(created.body.id)).body.hold.state === 'stopped' ? true : undefined), 10_000, 'the stop');
    assert.equal((await callsTo(world.sim, phone)).length, 1);
  });

  test('erasing the customer erases the notification phone', async () => {
    assert.equal((await put('cust-np-erase', '+821041239020')).status, 200);
    assert.equal((await world.client.request('DELETE', '/v1/customers/cust-np-erase')).status, 204);
    const rows = await world.server.running.context.db.query('SELECT 1 FROM ars_notification_phones WHERE customer_id = $1', ['cust-np-erase']);
    assert.equal(rows.rowCount, 0);
  });
});
