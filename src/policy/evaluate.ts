// docs/policy-reference.md decision rules as a pure function: (policy, transaction, context, history) → decision with
// the ids of the rules that fired, in a stable order.
import { parseAmount } from '../money/money.ts';
import type { PolicyDocument } from './policy-schema.ts';

export type StepUpReason =
  | 'daily_cumulative_threshold'
  | 'designated_device_high_value'
  | 'unregistered_payee_limit'
  | 'risk_score'
  | 'transaction_type'
  | 'currency_mismatch';

export interface StepUpInput {
  policy: PolicyDocument;
  transaction: { type: string; amountMinor?: bigint; currency?: string };
  context: { designatedDevice?: boolean; riskScore?: number; payeeRegistered?: boolean };
  /** Approved + not-required transfers of the customer today (tenant time zone), in the policy currency. */
  history: { todayApprovedMinor: bigint };
}

export interface StepUpDecision {
  stepUpRequired: boolean;
  reasons: StepUpReason[];
}

const policyMoney = (value: string, currency: string): bigint => {
  const parsed = parseAmount({ value, currency }, { allowZero: true });
  if (!parsed.ok) throw new Error(`policy amount ${value} ${currency}: ${parsed.code}`);
  return parsed.minor;
};

export function evaluateStepUp({ policy, transaction, context, history }: StepUpInput): StepUpDecision {
  const reasons: StepUpReason[] = [];
  const { stepUp } = policy;

  if (transaction.type === 'transfer' && transaction.amountMinor !== undefined) {
    if (transaction.currency !== policy.currency) {
      // Thresholds are in the policy currency; without an exchange rate the safe answer is step-up.
      reasons.push('currency_mismatch');
    } else {
      const amount = transaction.amountMinor;
      const cumulative = history.todayApprovedMinor + amount;
      const { threshold, designatedExemptBelow } = cumulativeThresholds(policy);
      if (cumulative >= threshold) {
        // A designated device exempts the cumulative rule up to its own, higher threshold (the paper's
        // 10,000,000 KRW); compared with the same cumulative sum, so splitting does not escape it.
        if (!context.designatedDevice) reasons.push('daily_cumulative_threshold');
        else if (cumulative >= designatedExemptBelow) reasons.push('designated_device_high_value');
      }
      if (context.payeeRegistered === false && amount > policyMoney(stepUp.unregisteredPayeeLimit, policy.currency)) {
        reasons.push('unregistered_payee_limit');
      }
    }
  }
  if (context.riskScore !== undefined && context.riskScore >= stepUp.riskScoreThreshold) reasons.push('risk_score');
  if ((stepUp.alwaysFor as string[]).includes(transaction.type)) reasons.push('transaction_type');
  return { stepUpRequired: reasons.length > 0, reasons };
}

const cumulativeThresholds = (policy: PolicyDocument) => ({
  threshold: policyMoney(policy.stepUp.dailyCumulativeThreshold, policy.currency),
  designatedExemptBelow: policyMoney(policy.stepUp.designatedDeviceExemptBelow, policy.currency),
});

/**
 * How the day's history can change the verdict: only the cumulative rule reads it, and it fires once
 * today's sum plus this amount reaches a threshold. Returns the sum from which that happens — with
 * every other input fixed, the cumulative rule stays silent exactly while todayApprovedMinor is
 * below it — or null when the history cannot matter (not a transfer in the policy currency).
 * Lets the store decide `not_required` and insert in one statement, under the customer's lock.
 */
export function cumulativeSumLimit({ policy, transaction, context }: Omit<StepUpInput, 'history'>): bigint | null {
  if (transaction.type !== 'transfer' || transaction.amountMinor === undefined || transaction.currency !== policy.currency) return null;
  const { threshold, designatedExemptBelow } = cumulativeThresholds(policy);
  const fires = context.designatedDevice ? (threshold > designatedExemptBelow ? threshold : designatedExemptBelow) : threshold;
  return fires - transaction.amountMinor;
}

// The current day's bounds per zone: every decision needs them, and they change once a day.
const dayBoundsCache = new Map<string, { start: Date; end: Date }>();

/** Start and end of the calendar day containing `now` in `timeZone` (DST-safe). */
export function localDayBounds(now: Date, timeZone: string): { start: Date; end: Date } {
  const cached = dayBoundsCache.get(timeZone);
  if (cached && cached.start.getTime() <= now.getTime() && now.getTime() < cached.end.getTime()) return cached;
  const bounds = computeLocalDayBounds(now, timeZone);
  dayBoundsCache.set(timeZone, bounds);
  return bounds;
}

function computeLocalDayBounds(now: Date, timeZone: string): { start: Date; end: Date } {
  const parts = formatterFor(dateFormatters, timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const [year, month, day] = [get('year'), get('month'), get('day')];
  return { start: zonedMidnight(year, month, day, timeZone), end: zonedMidnight(year, month, day + 1, timeZone) };
}

/** The instant of 00:00 local time on a date in a zone. */
function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const utcGuess = Date.UTC(year, month - 1, day);
  // Offset of the zone at the guess; applying it twice settles DST transitions.
  let instant = utcGuess - offsetMs(new Date(utcGuess), timeZone);
  instant = utcGuess - offsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

// Intl formatters are expensive to build: one per zone, reused.
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const dateFormatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (cache: Map<string, Intl.DateTimeFormat>, timeZone: string, options: Intl.DateTimeFormatOptions) => {
  let formatter = cache.get(timeZone);
  if (!formatter) cache.set(timeZone, (formatter = new Intl.DateTimeFormat('en-US', { timeZone, ...options })));
  return formatter;
};

function offsetMs(at: Date, timeZone: string): number {
  const parts = formatterFor(offsetFormatters, timeZone, {
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}
