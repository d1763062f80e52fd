// The strict combination of number-intelligence answers (docs/number-vetting.md "Number vetting"): a pure function
// of the ARS policy (§7), what each source said, when the number last changed, and the clock.
// Any source that says "refuse" wins; conflicting sources resolve to the most restrictive answer
// (plan says landline, Lookup says mobile → mobile); an unknown part is decided by the policy.
import type { LineType } from '../../channels/ars/ars-policy.ts';
import { inNumberChangeCooldown, type ArsPolicy } from '../../channels/ars/number-vetting.ts';
import type { SourceAnswer } from './number-source.ts';

/**
 * Line types stepup never dials, whatever the policy lists: the caller pays (premium, shared cost),
 * the number is not a subscriber's line (toll-free, UAN, personal follow-me, pager), or nobody
 * human answers (voicemail). Refusing them always — rather than rejecting them in the policy
 * schema — keeps older policy documents valid while still never placing such a call (toll fraud).
 */
export const neverDialedLineTypes: ReadonlySet<LineType> = new Set(['premium', 'sharedCost', 'tollFree', 'uan', 'personal', 'pager', 'voicemail']);

/** Every reason code, in the order they are reported (the first one is the 422 `code`, docs/number-vetting.md). */
export const vettingReasonCodes = [
  'invalid_number',
  'country_not_allowed',
  'line_type_never_dialed',
  'line_type_not_allowed',
  'line_type_unknown',
  'call_forwarding_active',
  'call_forwarding_unknown',
  'sim_swapped_recently',
  'number_recently_changed',
] as const;
export type VettingReason = (typeof vettingReasonCodes)[number];

/** Riskiest first: the line type reported when sources disagree. */
const lineTypeRisk: readonly LineType[] = ['premium', 'sharedCost', 'tollFree', 'uan', 'personal', 'pager', 'voicemail', 'nonFixedVoip', 'fixedVoip', 'mobile', 'landline'];

export interface CombineVettingInput {
  policy: ArsPolicy;
  answers: readonly SourceAnswer[];
  purpose: 'enrollment' | 'call';
  numberChangedAt?: Date | null;
  now: Date;
}

export interface CombinedVetting {
  eligible: boolean;
  lineType: LineType;
  country: string | null;
  callForwarding: boolean | null;
  forwardedToSameOwner: boolean | null;
  simSwap: boolean | null;
  reasons: VettingReason[];
}


/** true if any source says true, else false if any says false, else null (nobody knows). */
function anyTrue(values: readonly (boolean | null | undefined)[]): boolean | null {
  if (values.includes(true)) return true;
  return values.includes(false) ? false : null;
}

/** false if any source says false, else true if any says true, else null. */
function anyFalse(values: readonly (boolean | null | undefined)[]): boolean | null {
  if (values.includes(false)) return false;
  return values.includes(true) ? true : null;
}

const riskiest = (types: readonly LineType[]): LineType | undefined => lineTypeRisk.find((type) => types.includes(type));

export function combineVetting({ policy, answers, purpose, numberChangedAt, now }: CombineVettingInput): CombinedVetting {
  const reasons = new Set<VettingReason>();

  // A number any source holds to be invalid is never dialed.
  if (answers.some((answer) => answer.valid === false)) reasons.add('invalid_number');

  // Toll fraud: a number whose country no source could establish is not shown to be allowed.
  const countries = answers.map((answer) => answer.country).filter((country): country is string => country !== null);
  const refusedCountry = countries.find((country) => !policy.allowedCountries.includes(country));
  if (countries.length === 0 || refusedCountry !== undefined) reasons.add('country_not_allowed');

  // Line type: every known answer must be allowed; unknown only counts when no source knows.
  const knownTypes = answers.map((answer) => answer.lineType).filter((type) => type !== 'unknown');
  const neverDialed = knownTypes.filter((type) => neverDialedLineTypes.has(type));
  const notAllowed = knownTypes.filter((type) => !neverDialedLineTypes.has(type) && !policy.allowedLineTypes.includes(type));
  if (neverDialed.length > 0) reasons.add('line_type_never_dialed');
  if (notAllowed.length > 0) reasons.add('line_type_not_allowed');
  if (knownTypes.length === 0 && !policy.allowedLineTypes.includes('unknown')) reasons.add('line_type_unknown');
  const lineType = riskiest([...neverDialed, ...notAllowed]) ?? riskiest(knownTypes) ?? 'unknown';

  // Call forwarding (the paper's fraudster redirect): one "forwarded" answer is enough.
  const callForwarding = anyTrue(answers.map((answer) => answer.callForwarding));
  const forwardedToSameOwner = anyFalse(answers.filter((answer) => answer.callForwarding === true).map((answer) => answer.forwardedToSameOwner));
  if (policy.callForwarding !== 'allow') {
    const excused = policy.callForwarding === 'allow_same_owner' && forwardedToSameOwner === true;
    if (callForwarding === true && !excused) reasons.add('call_forwarding_active');
    if (callForwarding === null && policy.forwardingUnknown === 'reject') reasons.add('call_forwarding_unknown');
  }

  const simSwap = anyTrue(answers.map((answer) => answer.simSwap));
  if (simSwap === true) reasons.add('sim_swapped_recently');

  // The cooldown starts when the number changes (enrollment of the new number is what starts it),
  // so it bars calls, not the enrollment itself.
  if (purpose === 'call' && inNumberChangeCooldown(policy, numberChangedAt, now)) reasons.add('number_recently_changed');

  const ordered = vettingReasonCodes.filter((code) => reasons.has(code));
  return {
    eligible: ordered.length === 0,
    lineType,
    country: refusedCountry ?? countries[0] ?? null,
    callForwarding,
    forwardedToSameOwner: callForwarding === true ? forwardedToSameOwner : null,
    simSwap,
    reasons: ordered,
  };
}
