// The seam between the ARS channel and number intelligence (docs/number-vetting.md "Number vetting", "Call caps"):
// the channel asks before storing a number and again before every call attempt, because call
// forwarding can be switched on at any time; the implementation combines its sources strictly.
import type { ArsPolicy, LineType } from './ars-policy.ts';
import type { SourceAnswer } from './number-source-answer.ts';

export type { ArsPolicy };

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
  /** ISO 3166 alpha-2 as the sources established it (null: none could). */
  country?: string | null;
  /** With forwarding active: whether it goes to the same subscriber (null: unknown). */
  forwardedToSameOwner?: boolean | null;
  /** A recent SIM swap (true), none (false), unknown (null). */
  simSwap?: boolean | null;
  /** What each source answered (for the audit; never holds the number). */
  sources?: SourceAnswer[];
  /** The id that correlates this vetting with its audit entry and the sources' requests. */
  requestId?: string;
}

export interface NumberVetter {
  vet(input: NumberVettingInput): Promise<NumberVetting>;
}

export type CallCapVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'call_cap_reached'; cap: 'customer_hour' | 'number_day'; /** when the oldest counted call leaves the window */ retryAfterSeconds?: number };

/** Per-customer-per-hour and per-number-per-day call budgets (Redis counters). */
export interface CallCaps {
  /** Counts one call attempt against both budgets, or refuses it without counting. */
  reserve(input: { tenantId: string; customerId: string; e164: string; policy: ArsPolicy }): Promise<CallCapVerdict>;
}

const dayMs = 86_400_000;

/**
 * docs/number-vetting.md: a number changed within `numberChangeCooldownDays` is not called (a fraudster who
 * swapped the number in must not receive the call). The cooldown bars calls, not the enrollment.
 */
export function inNumberChangeCooldown(policy: Pick<ArsPolicy, 'numberChangeCooldownDays'>, numberChangedAt: Date | null | undefined, now: Date): boolean {
  const end = numberChangeCooldownEnd(policy, numberChangedAt);
  return end !== null && now.getTime() < end.getTime();
}

/** When calls to a changed number are allowed again; null for a number that never changed. */
export function numberChangeCooldownEnd(policy: Pick<ArsPolicy, 'numberChangeCooldownDays'>, numberChangedAt: Date | null | undefined): Date | null {
  const cooldownMs = policy.numberChangeCooldownDays * dayMs;
  return numberChangedAt && cooldownMs > 0 ? new Date(numberChangedAt.getTime() + cooldownMs) : null;
}
