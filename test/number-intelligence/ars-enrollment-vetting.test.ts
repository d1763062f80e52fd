// Issue 4 item 6, enrollment (docs/number-vetting.md, docs/policy-reference.md "Number vetting"): PUT /v1/customers/:id/phone
// through the real server, vetted by the numbering plan and the simulator's Twilio Lookup. A refusal
// is 422 with code = the first reason and every reason, and stores nothing. Each test uses its own
// tenant (policy without the cache wait; its own Lookup cache) and its own numbers.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startArsWorld, type ArsWorld } from '../ars/ars-fixture.ts';
import { assertNeverDialed, assertNumberHidden, configureNumber, putPhone, tenantWithArs, vettingAudit } from './ars-e2e-fixture.ts';

for (const db of dbKinds) {
  describe(`ARS enrollment vetting through the simulator (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db });
    });
    after(() => world.close());

    test('default policy: Korean 010 mobile, 070 VoIP, 080 toll-free and foreign numbers are refused; 02 and 031 landlines are stored', async () => {
      const { client, tenantId } = await tenantWithArs(world);
      const refused: [label: string, number: string, code: string, masked: string][] = [
        ['010 mobile', '+821041230001', 'line_type_not_allowed', '+82 10-***-0001'],
        ['070 VoIP', '+827041230002', 'line_type_not_allowed', '+82 70-***-0002'],
        ['080 toll-free', '+82804123003', 'line_type_never_dialed', '+82 80-***-3003'],
        ['+1 (US)', '+12025550143', 'country_not_allowed', '+1 202-***-0143'],
        ['+44 (UK)', '+442079460044', 'country_not_allowed', '+44 20-***-0044'],
        ['+81 (Japan)', '+81341230045', 'country_not_allowed', '+81 3-***-0045'],
      ];
      for (const [index, [label, number, code, masked]] of refused.entries()) {
        const customerId = `cust-refused-${index}`;
        const response = await putPhone(client, customerId, number);
        assert.equal(response.status, 422, `${label}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.code, code, label);
        assert.equal(response.body.reasons[0], code, `${label}: code is the first reason`);
        assert.equal(response.body.eligible, false, label);
        assert.equal(response.body.number, masked, label);
        assertNumberHidden(JSON.stringify(response.body), number, `the ${label} refusal`);
        assert.equal((await client.request('GET', `/v1/customers/${customerId}`)).status, 404, `${label}: nothing stored`);
        await assertNeverDialed(world.sim, number);
      }
      // The line type is reported with the refusal: mobile, VoIP (fixedVoip), toll-free.
      assert.equal((await putPhone(client, 'cust-refused-0', '+821041230001')).body.lineType, 'mobile');
      assert.match((await putPhone(client, 'cust-refused-1', '+827041230002')).body.lineType, /Voip$/);

      for (const [label, number, masked] of [
        ['02 Seoul', '+8224123004', '+82 2-***-3004'],
        ['031 Gyeonggi', '+82314123005', '+82 31-***-3005'],
      ] as const) {
        const customerId = `cust-landline-${label.split(' ')[0]}`;
        const response = await putPhone(client, customerId, number);
        assert.equal(response.status, 200, `${label}: ${JSON.stringify(response.body)}`);
        assert.deepEqual(response.body, { number: masked, lineType: 'landline', callForwarding: null, eligible: true, reasons: [] }, label);
        const summary = await client.request<any>('GET', `/v1/customers/${customerId}`);
        assert.equal(summary.body.phone.number, masked);
        await assertNeverDialed(world.sim, number);
      }

      // Every vetting audited (docs/number-vetting.md): 6 refusals, 2 repeats, 2 landlines — masked, with the sources' answers.
      const audit = await vettingAudit(world.server, tenantId);
      assert.equal(audit.length, 10);
      for (const entry of audit) {
        assert.equal(entry.actor, 'system:number-intelligence');
        assert.equal(entry.data.purpose, 'enrollment');
        assert.match(entry.data.number, /^\+\d{1,3} \d{1,3}-\*\*\*-\d{4}$/);
        assert.deepEqual(entry.data.sources.map((source: any) => source.source).sort(), ['numbering_plan', 'twilio_lookup']);
        assert.match(entry.data.requestId, /^nvr_/);
      }
      assert.deepEqual(audit.slice(0, 6).map((entry) => entry.data.reasons[0]), refused.map(([, , code]) => code));
      assert.deepEqual(audit.slice(-2).map((entry) => [entry.data.eligible, entry.data.lineType]), [[true, 'landline'], [true, 'landline']]);
      const auditText = JSON.stringify(audit);
      for (const [, number] of refused) assertNumberHidden(auditText, number, 'the audit');
      assertNumberHidden(auditText, '+8224123004', 'the audit');
      assertNumberHidden(auditText, '+82314123005', 'the audit');
    });

    test('a refused new number keeps the stored one', async () => {
      const { client } = await tenantWithArs(world);
      assert.equal((await putPhone(client, 'cust-keep', '+8224123010')).status, 200);
      const refused = await putPhone(client, 'cust-keep', '+821041230011');
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'line_type_not_allowed');
      const summary = await client.request<any>('GET', '/v1/customers/cust-keep');
      assert.equal(summary.body.phone.number, '+82 2-***-3010');
      assert.equal(summary.body.phone.callForwarding, null, 'Lookup could not tell: unknown, never "not forwarded"');
      assert.equal(summary.body.phone.numberChangedAt, null, 'a refused change is no change');
    });

    test('a policy that allows mobile (and lists toll-free and premium) still never dials toll-free, premium, UAN or personal numbers', async () => {
      const { client } = await tenantWithArs(world, { allowedLineTypes: ['landline', 'mobile', 'tollFree', 'premium'] });
      const mobile = await putPhone(client, 'cust-mobile', '+821041230020');
      assert.equal(mobile.status, 200, JSON.stringify(mobile.body));
      assert.equal(mobile.body.lineType, 'mobile');
      for (const [label, number, lineType] of [
        ['080 toll-free', '+82804123021', 'tollFree'],
        ['060 premium', '+82604123022', 'premium'],
        ['1588 UAN', '+8215884123', 'uan'],
        ['0503 personal', '+8250341230023', 'personal'],
      ] as const) {
        const response = await putPhone(client, `cust-never-${lineType}`, number);
        assert.equal(response.status, 422, `${label}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.code, 'line_type_never_dialed', label);
        assert.equal(response.body.lineType, lineType, label);
        assert.equal((await client.request('GET', `/v1/customers/cust-never-${lineType}`)).status, 404);
      }
      // Lookup knows better than the plan: a number the plan calls landline that Lookup reports as voicemail.
      await configureNumber(world.sim, '+8224123024', { lineType: 'voicemail' });
      const voicemail = await putPhone(client, 'cust-voicemail', '+8224123024');
      assert.equal(voicemail.body.code, 'line_type_never_dialed');
      assert.equal(voicemail.body.lineType, 'voicemail');
    });

    test('forwarding active at enrollment is refused; callForwarding "allow" accepts it', async () => {
      const number = '+8224123030';
      await configureNumber(world.sim, number, { callForwarding: true });
      const strict = await tenantWithArs(world);
      const refused = await putPhone(strict.client, 'cust-fwd', number);
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'call_forwarding_active');
      assert.deepEqual(refused.body.reasons, ['call_forwarding_active']);
      assert.equal(refused.body.callForwarding, true);
      assert.equal(refused.body.lineType, 'landline');
      assert.equal((await strict.client.request('GET', '/v1/customers/cust-fwd')).status, 404);
      const [entry] = await vettingAudit(world.server, strict.tenantId);
      const lookup = entry.data.sources.find((source: any) => source.source === 'twilio_lookup');
      assert.equal(lookup.callForwarding, true, 'the audit holds what Lookup said');

      const lenient = await tenantWithArs(world, { callForwarding: 'allow' });
      const accepted = await putPhone(lenient.client, 'cust-fwd', number);
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.callForwarding, true);
      const summary = await lenient.client.request<any>('GET', '/v1/customers/cust-fwd');
      assert.equal(summary.body.phone.callForwarding, true, 'the summary shows forwarding as last vetted');
      await assertNeverDialed(world.sim, number);
    });

    test('forwardingUnknown "reject": Lookup answering unknown is refused, a known "not forwarded" is not', async () => {
      const { client } = await tenantWithArs(world, { forwardingUnknown: 'reject' });
      const unknownNumber = '+8224123040';
      await configureNumber(world.sim, unknownNumber, { callForwarding: null });
      const refused = await putPhone(client, 'cust-unknown', unknownNumber);
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'call_forwarding_unknown');
      assert.equal(refused.body.callForwarding, null);
      assert.equal((await client.request('GET', '/v1/customers/cust-unknown')).status, 404);

      const knownNumber = '+8224123041';
      await configureNumber(world.sim, knownNumber, { callForwarding: false });
      const accepted = await putPhone(client, 'cust-known', knownNumber);
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.callForwarding, false);
    });
  });
}
