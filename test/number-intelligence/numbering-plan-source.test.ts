// The offline numbering plan on real Korean numbers, and what the default policy makes of them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumberingPlanSource } from '../../src/telephony/number-intelligence/numbering-plan-source.ts';
import { combineVetting } from '../../src/telephony/number-intelligence/combine-vetting.ts';
import { defaultPolicy } from '../../src/policy/policy-schema.ts';

const source = new NumberingPlanSource();
const ask = (e164: string) => source.lookup({ tenantId: 'ten_test0000', e164, purpose: 'enrollment', parts: new Set(['lineType', 'forwarding']), requestId: 'nvr_test' });
const vetDefault = async (e164: string) => combineVetting({ policy: defaultPolicy().channels.ars, answers: [await ask(e164)], purpose: 'enrollment', now: new Date() });

describe('numbering-plan source (libphonenumber-js/max)', () => {
  const cases: [string, string, string, string[]][] = [
    ['Seoul 02 landline', '+8223123456', 'landline', []],
    ['Gyeonggi 031 landline', '+82311234567', 'landline', []],
    ['010 mobile', '+821012345678', 'mobile', ['line_type_not_allowed']],
    ['070 VoIP', '+827012345678', 'nonFixedVoip', ['line_type_not_allowed']],
    ['080 toll-free', '+82801234567', 'tollFree', ['line_type_never_dialed']],
    ['050 personal', '+8250512345678', 'personal', ['line_type_never_dialed']],
    ['060 premium', '+82602345678', 'premium', ['line_type_never_dialed']],
    ['1588 UAN', '+8215881234', 'uan', ['line_type_never_dialed']],
  ];
  for (const [name, e164, lineType, reasons] of cases) {
    it(`${name}: ${lineType}`, async () => {
      const answer = await ask(e164);
      assert.equal(answer.source, 'numbering_plan');
      assert.equal(answer.valid, true);
      assert.equal(answer.country, 'KR');
      assert.equal(answer.lineType, lineType);
      assert.equal(answer.callForwarding, null, 'the plan never knows about forwarding');
      assert.deepEqual((await vetDefault(e164)).reasons, reasons);
    });
  }

  it('a US number: country not allowed, and fixed-line-or-mobile is unknown offline', async () => {
    const answer = await ask('+14155552671');
    assert.equal(answer.country, 'US');
    assert.equal(answer.lineType, 'unknown');
    assert.deepEqual((await vetDefault('+14155552671')).reasons, ['country_not_allowed', 'line_type_unknown']);
  });

  it('a Tokyo landline: country not allowed under the default policy', async () => {
    const answer = await ask('+81312345678');
    assert.equal(answer.country, 'JP');
    assert.equal(answer.lineType, 'landline');
    assert.deepEqual((await vetDefault('+81312345678')).reasons, ['country_not_allowed']);
  });

  it('an invalid Korean number', async () => {
    const answer = await ask('+821234');
    assert.equal(answer.valid, false);
    assert.equal(answer.lineType, 'unknown');
    assert.equal((await vetDefault('+821234')).reasons[0], 'invalid_number');
  });
});
