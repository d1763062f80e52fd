// POST .../policy/backtest and every proposal (docs/admin-api.md "Backtest"): the tenant's own decisions
// of the last `days` replayed under the current policy and a draft.
import type { Db } from '../storage/db.ts';
import type { PolicyVersion } from '../tenants/policy-store.ts';
import type { PolicyDocument, PolicySchema } from '../policy/policy-schema.ts';
import type { Clock } from '../time/clock.ts';
import { storedDecisions } from './decision-history.ts';
import { replayDecisions } from './replay-decisions.ts';
import type { BacktestResult } from './backtest-result.ts';

export const defaultBacktestDays = 30;

/** `policy`: the server's composed schema (AppContext.policy), whose `effective` the challenge service applies too. */
export function runBacktest(deps: { db: Db; clock: Clock; policy: Pick<PolicySchema, 'effective' | 'channelNames'> }, input: { tenantId: string; current: PolicyVersion; draft: PolicyDocument; days?: number; pageSize?: number }): Promise<BacktestResult> {
  const days = input.days ?? defaultBacktestDays;
  const to = deps.clock();
  const from = new Date(to.getTime() - days * 86_400_000);
  const decisions = storedDecisions(deps.db, { tenantId: input.tenantId, from, to, ...(input.pageSize ? { pageSize: input.pageSize } : {}) });
  return replayDecisions(decisions, { policy: deps.policy, current: input.current.document, currentVersion: input.current.version, draft: input.draft, days, from, to });
}
