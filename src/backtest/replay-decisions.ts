// The backtest's replay (docs/admin-api.md "Backtest"): stored decisions, in time order, decided again
// under the current and the draft policy, each side keeping its own daily totals. Pure but for reading
// the stream; memory holds one day's totals per customer, never the history.
//
// Per decision and side: the rules (src/policy/evaluate.ts) with the customer's total of the day so far
// under that side. Not stepped up, it ends `not_required`; stepped up, it ends as it really ended (a
// stored `not_required` the side would step up is taken as confirmed: `approved`). Its amount joins
// the day's total when it ends approved or not_required and its hold was not stopped (money moved).
// Each side's policy for a customer is the server's composed `effective` (src/policy/policy-schema.ts,
// composePolicy), as the challenge service applies it: every module's section held to its own bounds.
import type { PolicyDocument, PolicySchema } from '../policy/policy-schema.ts';
import { evaluateStepUp, localDayBounds } from '../policy/evaluate.ts';
import { holdAt, planHold } from '../holds/hold-plan.ts';
import type { StoredDecision } from './decision-history.ts';
import type { BacktestResult } from './backtest-result.ts';

/** The list of fraud-reported challenges the draft lets through stops here (the total is still counted). */
export const maxFraudReportedListed = 1000;

interface Side {
  document: PolicyDocument;
  /** The effective policy per grade ('' for none): computed once per grade, not per decision. */
  byGrade: Map<string, PolicyDocument>;
  /** The customer's day (by its end) and what moved that day. */
  totals: Map<string, { dayEnd: number; minor: bigint }>;
  sweptDayEnd: number;
  steppedUp: number;
  holds: number;
  byReason: Record<string, number>;
  byChannel: Record<string, number>;
}

const side = (document: PolicyDocument): Side => ({ document, byGrade: new Map(), totals: new Map(), sweptDayEnd: 0, steppedUp: 0, holds: 0, byReason: {}, byChannel: {} });
const moneyMoves = (status: string) => status === 'approved' || status === 'not_required';

/** Which channel a stepped-up decision would go to: the one it used if this policy still offers it, else the first offered. */
function channelFor(policy: PolicyDocument, used: string | null): string {
  const offered = policy.channelOrder.filter((name) => policy.channels[name]?.enabled);
  if (used !== null && (offered as string[]).includes(used)) return used;
  return offered[0] ?? 'none';
}

/** Decides one stored decision under one side; returns whether it was stepped up. */
function decide(state: Side, decision: StoredDecision, effective: PolicySchema['effective']): boolean {
  const grade = decision.context.grade ?? '';
  let policy = state.byGrade.get(grade);
  if (!policy) state.byGrade.set(grade, (policy = effective(state.document, grade || undefined)));
  const at = decision.createdAt.getTime();
  const day = localDayBounds(decision.createdAt, policy.timezone);
  const dayEnd = day.end.getTime();
  // Time only moves forward here: once a day has ended, drop every total of days already over.
  if (at >= state.sweptDayEnd) {
    for (const [customer, total] of state.totals) if (total.dayEnd <= at) state.totals.delete(customer);
    state.sweptDayEnd = localDayBounds(decision.createdAt, state.document.timezone).end.getTime();
  }
  const key = `${decision.customerId}\u0000${policy.currency}`;
  const total = state.totals.get(key);
  const today = total && total.dayEnd === dayEnd ? total.minor : 0n;
  const transaction = { type: decision.transactionType, amountMinor: decision.amountMinor, currency: decision.currency };
  const verdict = evaluateStepUp({ policy, transaction, context: decision.context, history: { todayApprovedMinor: today } });
  for (const reason of verdict.reasons) state.byReason[reason] = (state.byReason[reason] ?? 0) + 1;
  let status = 'not_required';
  if (verdict.stepUpRequired) {
    state.steppedUp += 1;
    const channel = channelFor(policy, decision.channel);
    state.byChannel[channel] = (state.byChannel[channel] ?? 0) + 1;
    status = decision.status === 'not_required' ? 'approved' : decision.status;
  }
  if (holdAt(planHold({ policy, transaction, context: decision.context, now: decision.createdAt }) ?? undefined, status, decision.createdAt)) state.holds += 1;
  if (moneyMoves(status) && decision.holdState !== 'stopped' && decision.transactionType === 'transfer' && decision.amountMinor !== undefined && decision.currency === policy.currency) {
    state.totals.set(key, { dayEnd, minor: today + decision.amountMinor });
  }
  return verdict.stepUpRequired;
}

export async function replayDecisions(
  decisions: AsyncIterable<StoredDecision>,
  options: {
    /** The server's policy schema (AppContext.policy): its `effective`, and its channels' names, in order, for `byChannel`. */
    policy: Pick<PolicySchema, 'effective' | 'channelNames'>;
    current: PolicyDocument;
    currentVersion: number;
    draft: PolicyDocument;
    days: number;
    from: Date;
    to: Date;
  },
): Promise<BacktestResult> {
  const { effective, channelNames } = options.policy;
  const current = side(options.current);
  const draft = side(options.draft);
  const fraudReportedPassing: string[] = [];
  let fraudReportedPassingTotal = 0;
  let count = 0;
  for await (const decision of decisions) {
    count += 1;
    decide(current, decision, effective);
    const draftStepsUp = decide(draft, decision, effective);
    if (decision.fraudReported && !draftStepsUp) {
      fraudReportedPassingTotal += 1;
      if (fraudReportedPassing.length < maxFraudReportedListed) fraudReportedPassing.push(decision.id);
    }
  }
  const channelsFirst = (counts: Record<string, number>) => Object.fromEntries([...channelNames, 'none'].filter((name) => counts[name]).map((name) => [name, counts[name]!]));
  return {
    fraudReportedPassing,
    fraudReportedPassingTotal,
    decisions: count,
    days: options.days,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    currentVersion: options.currentVersion,
    steppedUp: { current: current.steppedUp, draft: draft.steppedUp },
    byReason: { current: current.byReason, draft: draft.byReason },
    byChannel: { current: channelsFirst(current.byChannel), draft: channelsFirst(draft.byChannel) },
    holds: { current: current.holds, draft: draft.holds },
  };
}
