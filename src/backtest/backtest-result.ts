// What a backtest answers (docs/admin-api.md "Backtest"): the tenant's decisions of the last days
// replayed under the current and the draft policy, side by side.

/** A count for each policy: the current one and the draft. */
export interface SideBySide<T> {
  current: T;
  draft: T;
}

export interface BacktestResult {
  /** Challenges whose customer reported fraud that the draft would not have stepped up: listed first. */
  fraudReportedPassing: string[];
  /** How many there are in all (the list stops at 1,000). */
  fraudReportedPassingTotal: number;
  /** Decisions replayed. */
  decisions: number;
  days: number;
  from: string;
  to: string;
  currentVersion: number;
  steppedUp: SideBySide<number>;
  byReason: SideBySide<Record<string, number>>;
  byChannel: SideBySide<Record<string, number>>;
  holds: SideBySide<number>;
}
