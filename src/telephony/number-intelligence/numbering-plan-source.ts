// Source 1 (docs/number-vetting.md): the offline numbering plan, libphonenumber-js/max metadata (the default `min`
// metadata cannot tell Korean 070 VoIP or 010 mobile from a fixed line). It knows validity, country
// and line type; it can never know about forwarding or SIM swaps.
import { lineTypeFromPlan, parseNumber } from '../numbering-plan.ts';
import type { NumberSource, SourceAnswer, SourceQuery } from './number-source.ts';

export function numberingPlanAnswer(e164: string): SourceAnswer {
  const parsed = parseNumber(e164);
  if (parsed === undefined) return { source: 'numbering_plan', valid: false, lineType: 'unknown', country: null, callForwarding: null, errors: ['not_a_number'] };
  return {
    source: 'numbering_plan',
    valid: parsed.valid,
    lineType: parsed.valid ? lineTypeFromPlan(e164) : 'unknown',
    country: parsed.countryCode,
    callForwarding: null,
    errors: parsed.valid ? [] : ['invalid_for_plan'],
  };
}

export class NumberingPlanSource implements NumberSource {
  readonly name = 'numbering_plan' as const;

  lookup(query: SourceQuery): Promise<SourceAnswer> {
    return Promise.resolve(numberingPlanAnswer(query.e164));
  }
}
