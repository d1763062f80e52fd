// Which transfers are held, decided when the challenge is decided (docs/holds.md): a pure function of
// the policy, the transaction and its context. The plan is stored with the decision, so the hold that
// starts when the challenge ends follows the policy the challenge was decided under.
import { parseAmount } from '../money/money.ts';
import type { PolicyDocument } from '../policy/policy-schema.ts';
import type { HoldableStatus } from './hold-policy.ts';

/** Why a transfer is held: its amount, or a payee registered too recently (the cooling-off). */
export type HoldReason = 'hold_min_amount' | 'new_payee';

export interface HoldPlan {
  seconds: number;
  stopClosesBeforeSeconds: number;
  notifyCallsAfterSeconds: number[];
  appliesTo: HoldableStatus[];
  reasons: HoldReason[];
}

/** A hold as it starts (docs/holds.md, "States"). */
export interface StartedHold {
  state: 'held';
  reasons: HoldReason[];
  heldAt: Date;
  releaseAt: Date;
  stopClosesAt: Date;
  notifyAt: Date[];
}

export interface HoldPlanInput {
  policy: PolicyDocument;
  transaction: { type: string; amountMinor?: bigint | undefined; currency?: string | undefined };
  context: { payeeRegisteredAt?: string | undefined };
  now: Date;
}

export function planHold({ policy, transaction, context, now }: HoldPlanInput): HoldPlan | null {
  const { hold } = policy;
  if (!hold?.enabled || transaction.type !== 'transfer' || transaction.amountMinor === undefined) return null;
  const reasons: HoldReason[] = [];
  // Thresholds are in the policy currency; without an exchange rate the safe answer is to hold.
  if (transaction.currency !== policy.currency || transaction.amountMinor >= minimum(hold.minAmount, policy.currency)) reasons.push('hold_min_amount');
  if (context.payeeRegisteredAt !== undefined && hold.newPayeeWithinSeconds > 0) {
    // A registration time in the future is not believed: the payee counts as new.
    const age = now.getTime() - Date.parse(context.payeeRegisteredAt);
    if (!(age >= hold.newPayeeWithinSeconds * 1000)) reasons.push('new_payee');
  }
  if (reasons.length === 0) return null;
  return {
    seconds: hold.seconds,
    stopClosesBeforeSeconds: hold.stopClosesBeforeSeconds,
    notifyCallsAfterSeconds: [...hold.notifyCallsAfterSeconds],
    appliesTo: [...hold.appliesTo],
    reasons,
  };
}

/** The hold a challenge starts when it ends in `status` at `endedAt`, or null when it is not held. */
export function holdAt(plan: HoldPlan | undefined, status: string, endedAt: Date): StartedHold | null {
  if (!plan || !(plan.appliesTo as string[]).includes(status)) return null;
  const after = (seconds: number) => new Date(endedAt.getTime() + seconds * 1000);
  return {
    state: 'held',
    reasons: plan.reasons,
    heldAt: endedAt,
    releaseAt: after(plan.seconds),
    stopClosesAt: after(plan.seconds - plan.stopClosesBeforeSeconds),
    notifyAt: plan.notifyCallsAfterSeconds.map(after),
  };
}

function minimum(value: string, currency: string): bigint {
  const parsed = parseAmount({ value, currency }, { allowZero: true });
  if (!parsed.ok) throw new Error(`policy hold.minAmount ${value} ${currency}: ${parsed.code}`);
  return parsed.minor;
}
