// The enrollment refusal of docs/number-vetting.md: 422 with `code` = the first reason and every reason listed.
import type { ProblemError } from '../../errors/problem.ts';
import type { NumberVetting } from './number-vetting.ts';
import { maskPhoneNumber } from './mask-phone-number.ts';
import { arsProblem, type ArsProblemCode } from './ars-problem-codes.ts';

export function numberIneligibleProblem(e164: string, vetting: NumberVetting): ProblemError {
  const [first = 'line_type_unknown'] = vetting.reasons;
  return arsProblem(first as ArsProblemCode, `The number cannot receive ARS calls: ${vetting.reasons.join(', ')}`, {
    number: maskPhoneNumber(e164),
    lineType: vetting.lineType,
    callForwarding: vetting.callForwarding,
    eligible: false,
    reasons: vetting.reasons,
  });
}
