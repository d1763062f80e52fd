// The seam between the ARS channel and number intelligence (SPEC §8 "Number vetting", "Call caps"):
// the channel asks before storing a number and again before every call attempt, because call
// forwarding can be switched on at any time; the implementation combines its sources strictly.
import type { LineType, PolicyDocument } from '../../policy/policy-schema.ts';

export type ArsPolicy = PolicyDocument['channels']['ars'];

export interface NumberVettingInput {
  tenantId: string;
  customerId: string;
  /** E.164, already normalised. */
  e164: string;
  policy: ArsPolicy;
  /** `enrollment`: the bank is registering the number; `call`: about to dial it. */
  purpose: 'enrollment' | 'call';
  /** When the customer's number last changed (absent at enrollment of a new number). */
  numberChangedAt?: Date | null;
}

export interface NumberVetting {
  eligible: boolean;
  lineType: LineType;
  /** true / false when a source answered; null when no source could tell. */
  callForwarding: boolean | null;
  /** Reason codes, first one first (`line_type_not_allowed`, `call_forwarding_active`, `country_not_allowed`, …); empty when eligible. */
  reasons: string[];
}

export interface NumberVetter {
  vet(input: NumberVettingInput): Promise<NumberVetting>;
}

export type CallCapVerdict = { allowed: true } | { allowed: false; reason: 'call_cap_reached'; cap: 'customer_hour' | 'number_day' };

/** Per-customer-per-hour and per-number-per-day call budgets (Redis counters). */
export interface CallCaps {
  /** Counts one call attempt against both budgets, or refuses it without counting. */
  reserve(input: { tenantId: string; customerId: string; e164: string; policy: ArsPolicy }): Promise<CallCapVerdict>;
}
