// The strict combiner, table-driven: every policy field and value, conflicting sources, unknowns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combineVetting, neverDialedLineTypes, type CombineVettingInput } from '../../src/telephony/number-intelligence/combine-vetting.ts';
import type { SourceAnswer } from '../../src/telephony/number-intelligence/number-source.ts';
import { defaultPolicy } from '../../src/policy/policy-schema.ts';
import type { LineType } from '../../src/channels/ars/ars-policy.ts';
import type { ArsPolicy } from '../../src/channels/ars/number-vetting.ts';

const now = new Date('2026-11-23T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

const plan = (lineType: LineType, extra: Partial<SourceAnswer> = {}): SourceAnswer => ({
  source: 'numbering_plan', valid: true, lineType, country: 'KR', callForwarding: null, errors: [], ...extra,
});
const lookup = (extra: Partial<SourceAnswer> = {}): SourceAnswer => ({
  source: 'twilio_lookup', valid: true, lineType: 'unknown', country: 'KR', callForwarding: null, errors: [], ...extra,
});
const gateway = (extra: Partial<SourceAnswer> = {}): SourceAnswer => ({
  source: 'carrier_gateway', valid: null, lineType: 'unknown', country: null, callForwarding: null, errors: [], ...extra,
});
const policyWith = (overrides: Partial<ArsPolicy> = {}): ArsPolicy => ({ ...defaultPolicy().channels.ars, ...overrides });

interface Row {
  name: string;
  policy?: Partial<ArsPolicy>;
  answers: SourceAnswer[];
  purpose?: 'enrollment' | 'call';
  numberChangedAt?: Date | null;
  reasons: string[];
  lineType?: LineType;
  callForwarding?: boolean | null;
}

const table: Row[] = [
  // allowedLineTypes (default landline only)
  { name: 'landline under the default policy', answers: [plan('landline'), lookup({ callForwarding: false })], reasons: [], lineType: 'landline', callForwarding: false },
  { name: 'mobile refused by default', answers: [plan('mobile')], reasons: ['line_type_not_allowed'], lineType: 'mobile' },
  { name: 'non-fixed VoIP refused by default', answers: [plan('nonFixedVoip')], reasons: ['line_type_not_allowed'], lineType: 'nonFixedVoip' },
  { name: 'fixed VoIP refused by default', answers: [plan('fixedVoip')], reasons: ['line_type_not_allowed'], lineType: 'fixedVoip' },
  { name: 'mobile allowed when listed', policy: { allowedLineTypes: ['landline', 'mobile'] }, answers: [plan('mobile')], reasons: [], lineType: 'mobile' },
  { name: 'landline refused when only mobile is listed', policy: { allowedLineTypes: ['mobile'] }, answers: [plan('landline')], reasons: ['line_type_not_allowed'] },
  { name: 'unknown line type refused unless listed', answers: [plan('unknown'), lookup()], reasons: ['line_type_unknown'], lineType: 'unknown' },
  { name: 'unknown line type allowed when listed', policy: { allowedLineTypes: ['landline', 'unknown'] }, answers: [plan('unknown'), lookup()], reasons: [], lineType: 'unknown' },
  { name: 'one source knowing is enough (plan unknown, Lookup landline)', answers: [plan('unknown'), lookup({ lineType: 'landline' })], reasons: [], lineType: 'landline' },
  // conflicting sources: most restrictive wins
  { name: 'plan landline, Lookup mobile → mobile', answers: [plan('landline'), lookup({ lineType: 'mobile' })], reasons: ['line_type_not_allowed'], lineType: 'mobile' },
  { name: 'plan landline, gateway VoIP → VoIP', answers: [plan('landline'), gateway({ lineType: 'nonFixedVoip' })], reasons: ['line_type_not_allowed'], lineType: 'nonFixedVoip' },
  { name: 'mobile allowed but Lookup says VoIP', policy: { allowedLineTypes: ['landline', 'mobile'] }, answers: [plan('mobile'), lookup({ lineType: 'nonFixedVoip' })], reasons: ['line_type_not_allowed'], lineType: 'nonFixedVoip' },
  { name: 'toll-free plus mobile: both reasons, toll-free reported', answers: [plan('tollFree'), lookup({ lineType: 'mobile' })], reasons: ['line_type_never_dialed', 'line_type_not_allowed'], lineType: 'tollFree' },
  // never dialed, even when the policy lists them
  ...[...neverDialedLineTypes].map((type): Row => ({
    name: `${type} is never dialed even when the policy lists it`,
    policy: { allowedLineTypes: ['landline', type] },
    answers: [plan(type)],
    reasons: ['line_type_never_dialed'],
    lineType: type,
  })),
  // allowedCountries (default KR)
  { name: 'a US number is outside the default countries', answers: [plan('unknown', { country: 'US' })], reasons: ['country_not_allowed', 'line_type_unknown'] },
  { name: 'a JP landline is outside the default countries', answers: [plan('landline', { country: 'JP' })], reasons: ['country_not_allowed'] },
  { name: 'a JP landline allowed when JP is listed', policy: { allowedCountries: ['KR', 'JP'] }, answers: [plan('landline', { country: 'JP' })], reasons: [] },
  { name: 'sources disagreeing on the country: any refused country refuses', answers: [plan('landline'), lookup({ country: 'US' })], reasons: ['country_not_allowed'] },
  { name: 'no source knows the country', answers: [plan('landline', { country: null })], reasons: ['country_not_allowed'] },
  // invalid numbers
  { name: 'invalid number', answers: [plan('unknown', { valid: false, errors: ['invalid_for_plan'] })], reasons: ['invalid_number', 'line_type_unknown'] },
  { name: 'Lookup says invalid although the plan accepts', answers: [plan('landline'), lookup({ valid: false })], reasons: ['invalid_number'] },
  // callForwarding: reject (default)
  { name: 'reject: forwarding active (Lookup)', answers: [plan('landline'), lookup({ callForwarding: true })], reasons: ['call_forwarding_active'], callForwarding: true },
  { name: 'reject: forwarding active (gateway) beats Lookup "no"', answers: [plan('landline'), lookup({ callForwarding: false }), gateway({ callForwarding: true })], reasons: ['call_forwarding_active'], callForwarding: true },
  { name: 'reject: same owner does not excuse it', answers: [plan('landline'), gateway({ callForwarding: true, forwardedToSameOwner: true })], reasons: ['call_forwarding_active'] },
  { name: 'reject: not forwarded', answers: [plan('landline'), gateway({ callForwarding: false })], reasons: [], callForwarding: false },
  // callForwarding: allow_same_owner
  { name: 'allow_same_owner: forwarded to the same owner passes', policy: { callForwarding: 'allow_same_owner' }, answers: [plan('landline'), gateway({ callForwarding: true, forwardedToSameOwner: true })], reasons: [], callForwarding: true },
  { name: 'allow_same_owner: forwarded elsewhere refused', policy: { callForwarding: 'allow_same_owner' }, answers: [plan('landline'), gateway({ callForwarding: true, forwardedToSameOwner: false })], reasons: ['call_forwarding_active'] },
  { name: 'allow_same_owner: owner unknown refused', policy: { callForwarding: 'allow_same_owner' }, answers: [plan('landline'), lookup({ callForwarding: true })], reasons: ['call_forwarding_active'] },
  {
    name: 'allow_same_owner: one source says another owner',
    policy: { callForwarding: 'allow_same_owner' },
    answers: [plan('landline'), lookup({ callForwarding: true, forwardedToSameOwner: false }), gateway({ callForwarding: true, forwardedToSameOwner: true })],
    reasons: ['call_forwarding_active'],
  },
  // callForwarding: allow
  { name: 'allow: forwarding active passes', policy: { callForwarding: 'allow' }, answers: [plan('landline'), lookup({ callForwarding: true })], reasons: [], callForwarding: true },
  { name: 'allow: unknown passes even with forwardingUnknown reject', policy: { callForwarding: 'allow', forwardingUnknown: 'reject' }, answers: [plan('landline')], reasons: [], callForwarding: null },
  // forwardingUnknown
  { name: 'forwardingUnknown allow (default): nobody knows → eligible', answers: [plan('landline'), lookup(), gateway({ errors: ['timeout'], unavailable: true })], reasons: [], callForwarding: null },
  { name: 'forwardingUnknown reject: nobody knows → refused', policy: { forwardingUnknown: 'reject' }, answers: [plan('landline'), lookup(), gateway({ errors: ['timeout'], unavailable: true })], reasons: ['call_forwarding_unknown'], callForwarding: null },
  { name: 'forwardingUnknown reject: one "no" is an answer', policy: { forwardingUnknown: 'reject' }, answers: [plan('landline'), lookup(), gateway({ callForwarding: false })], reasons: [], callForwarding: false },
  { name: 'forwardingUnknown reject with allow_same_owner', policy: { callForwarding: 'allow_same_owner', forwardingUnknown: 'reject' }, answers: [plan('landline')], reasons: ['call_forwarding_unknown'] },
  // sim swap
  { name: 'a recent SIM swap refuses', policy: { allowedLineTypes: ['mobile'] }, answers: [plan('mobile'), lookup({ simSwap: true })], reasons: ['sim_swapped_recently'] },
  { name: 'an unknown SIM swap does not', policy: { allowedLineTypes: ['mobile'] }, answers: [plan('mobile'), lookup({ simSwap: null })], reasons: [] },
  // numberChangeCooldownDays (default 7)
  { name: 'cooldown: changed 2 days ago, call refused', purpose: 'call', numberChangedAt: daysAgo(2), answers: [plan('landline')], reasons: ['number_recently_changed'] },
  { name: 'cooldown: changed 8 days ago, call allowed', purpose: 'call', numberChangedAt: daysAgo(8), answers: [plan('landline')], reasons: [] },
  { name: 'cooldown: exactly 7 days passed, call allowed', purpose: 'call', numberChangedAt: daysAgo(7), answers: [plan('landline')], reasons: [] },
  { name: 'cooldown: does not bar the enrollment that starts it', purpose: 'enrollment', numberChangedAt: daysAgo(0), answers: [plan('landline')], reasons: [] },
  { name: 'cooldown 0 days: never applies', purpose: 'call', policy: { numberChangeCooldownDays: 0 }, numberChangedAt: daysAgo(0), answers: [plan('landline')], reasons: [] },
  { name: 'cooldown 30 days: changed 10 days ago refused', purpose: 'call', policy: { numberChangeCooldownDays: 30 }, numberChangedAt: daysAgo(10), answers: [plan('landline')], reasons: ['number_recently_changed'] },
  { name: 'cooldown: no change date (original number)', purpose: 'call', numberChangedAt: null, answers: [plan('landline')], reasons: [] },
  // everything at once, in the documented order
  {
    name: 'all reasons in order',
    purpose: 'call',
    policy: { forwardingUnknown: 'reject' },
    numberChangedAt: daysAgo(1),
    answers: [plan('premium', { country: 'US', valid: false }), lookup({ lineType: 'mobile', callForwarding: true, simSwap: true })],
    reasons: ['invalid_number', 'country_not_allowed', 'line_type_never_dialed', 'line_type_not_allowed', 'call_forwarding_active', 'sim_swapped_recently', 'number_recently_changed'],
    lineType: 'premium',
  },
];

describe('combineVetting (docs/number-vetting.md, strict)', () => {
  for (const row of table) {
    it(row.name, () => {
      const input: CombineVettingInput = { policy: policyWith(row.policy), answers: row.answers, purpose: row.purpose ?? 'enrollment', numberChangedAt: row.numberChangedAt, now };
      const verdict = combineVetting(input);
      assert.deepEqual(verdict.reasons, row.reasons);
      assert.equal(verdict.eligible, row.reasons.length === 0);
      if (row.lineType !== undefined) assert.equal(verdict.lineType, row.lineType);
      if (row.callForwarding !== undefined) assert.equal(verdict.callForwarding, row.callForwarding);
    });
  }

  it('is pure: the same input gives the same verdict and the input is not changed', () => {
    const answers = [plan('landline'), lookup({ callForwarding: true })];
    const snapshot = structuredClone(answers);
    const input = { policy: policyWith(), answers, purpose: 'call' as const, numberChangedAt: daysAgo(1), now };
    assert.deepEqual(combineVetting(input), combineVetting(input));
    assert.deepEqual(answers, snapshot);
  });
});
