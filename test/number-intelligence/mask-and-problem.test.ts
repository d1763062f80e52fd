// The one masking helper, and the 422 problem an ineligible number becomes (docs/number-vetting.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskPhoneNumber } from '../../src/channels/ars/mask-phone-number.ts';
import { numberIneligibleProblem } from '../../src/channels/ars/number-ineligible-problem.ts';
import { vettingReasonCodes } from '../../src/telephony/number-intelligence/combine-vetting.ts';
import { arsProblemCodes } from '../../src/channels/ars/ars-problem-codes.ts';

describe('maskPhoneNumber', () => {
  const cases: [string, string][] = [
    ['+8223123456', '+82 2-***-3456'],
    ['+82311234567', '+82 31-***-4567'],
    ['+821012345678', '+82 10-***-5678'],
    ['+8250512345678', '+82 50-***-5678'],
    ['+8215881234', '+82 ***-1234'],
    ['+14155552671', '+1 415-***-2671'],
    ['+821234', '+***234'],
  ];
  for (const [e164, masked] of cases) {
    it(`${masked}`, () => {
      assert.equal(maskPhoneNumber(e164), masked);
      const digits = e164.replace(/\D/g, '');
      assert.ok(!maskPhoneNumber(e164).replace(/\D/g, '').includes(digits.slice(-7)), 'never seven consecutive digits of the number');
    });
  }
});

describe('numberIneligibleProblem', () => {
  it('is 422 with the first reason as code and all reasons listed, the number masked', () => {
    const problem = numberIneligibleProblem('+821012345678', { eligible: false, lineType: 'mobile', callForwarding: true, reasons: ['line_type_not_allowed', 'call_forwarding_active'] });
    const body = problem.toBody();
    assert.equal(body.status, 422);
    assert.equal(body.code, 'line_type_not_allowed');
    assert.deepEqual(body.reasons, ['line_type_not_allowed', 'call_forwarding_active']);
    assert.equal(body.number, '+82 10-***-5678');
    assert.equal(body.title, 'The phone line type is not allowed');
  });

  it('every vetting reason is a registered 422 problem code', () => {
    for (const code of vettingReasonCodes) assert.equal((arsProblemCodes as Record<string, { status: number }>)[code]?.status, 422, code);
  });
});
