// INTERIM number vetting and call caps, until the number-intelligence module (numbering plan +
// Twilio Lookup + the bank's carrier gateway, caching, Redis call caps) is wired in by the lead.
// The vetter knows only the offline numbering plan: line type and country against the policy;
// it cannot tell call forwarding (null = unknown). The caps allow every call.
import { lineTypeFromPlan, parseNumber } from '../../telephony/numbering-plan.ts';
import type { CallCaps, NumberVetter, NumberVetting, NumberVettingInput } from './number-vetting.ts';

export class NumberingPlanVetter implements NumberVetter {
  async vet({ e164, policy }: NumberVettingInput): Promise<NumberVetting> {
    const parsed = parseNumber(e164);
    const lineType = lineTypeFromPlan(e164);
    const reasons: string[] = [];
    if (!parsed?.valid) reasons.push('invalid_number');
    if (!parsed?.countryCode || !policy.allowedCountries.includes(parsed.countryCode)) reasons.push('country_not_allowed');
    if (!policy.allowedLineTypes.includes(lineType)) reasons.push('line_type_not_allowed');
    return { eligible: reasons.length === 0, lineType, callForwarding: null, reasons };
  }
}

/** INTERIM: no budget at all (the real caps count per customer-hour and number-day in Redis). */
export const allowAllCallCaps: CallCaps = {
  async reserve() {
    return { allowed: true };
  },
};
