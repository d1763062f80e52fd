// A challenge's hold (docs/holds.md). States (stored, never renamed):
//
//   held ──► released    (at releaseAt, by the release job or the sweep)
//        └─► stopped     (before stopClosesAt, by the customer, the bank or an admin)
//
// Exactly one of the two, by a conditional UPDATE on hold_state. The challenge's own status never
// changes: a held challenge stays `approved` or `not_required`.
import type { HoldReason, StartedHold } from './hold-plan.ts';

export const holdStates = ['held', 'released', 'stopped'] as const;
export type HoldState = (typeof holdStates)[number];
export const stoppers = ['customer', 'bank', 'admin'] as const;
export type StoppedBy = (typeof stoppers)[number];

/** One notification call of the hold, as the bank sees it. */
export interface HoldNotification {
  at: string;
  channel: 'call';
  outcome: string;
}

export interface HoldRecord {
  state: HoldState;
  reasons: HoldReason[];
  heldAt: Date;
  releaseAt: Date;
  stopClosesAt: Date;
  /** When the notification calls are due (docs/holds.md, "The notification call"). */
  notifyAt: Date[];
  releasedAt: Date | null;
  stoppedAt: Date | null;
  stoppedBy: StoppedBy | null;
  notifications: HoldNotification[];
}

/** The `hold` jsonb column: what the hold_state and hold_release_at columns do not hold already. */
interface StoredHold {
  reasons: HoldReason[];
  heldAt: string;
  stopClosesAt: string;
  notifyAt: string[];
  releasedAt?: string;
  stoppedAt?: string;
  stoppedBy?: StoppedBy;
  notifications?: HoldNotification[];
}

/** The three hold columns of a challenge row (hold_state, hold_release_at, hold), for INSERT and the transition. */
export function holdColumns(hold: StartedHold | HoldRecord | null): [HoldState | null, Date | null, string | null] {
  if (!hold) return [null, null, null];
  const stored: StoredHold = {
    reasons: hold.reasons,
    heldAt: hold.heldAt.toISOString(),
    stopClosesAt: hold.stopClosesAt.toISOString(),
    notifyAt: hold.notifyAt.map((at) => at.toISOString()),
  };
  return [hold.state, hold.releaseAt, JSON.stringify(stored)];
}

/** A hold just started, as the challenge record carries it. */
export const startedHoldRecord = (hold: StartedHold | null): HoldRecord | null =>
  hold && { ...hold, releasedAt: null, stoppedAt: null, stoppedBy: null, notifications: [] };

export function holdFromRow(row: { hold_state: HoldState | null; hold_release_at: Date | null; hold: StoredHold | null }): HoldRecord | null {
  if (!row.hold_state || !row.hold || !row.hold_release_at) return null;
  const stored = row.hold;
  return {
    state: row.hold_state,
    reasons: stored.reasons,
    heldAt: new Date(stored.heldAt),
    releaseAt: row.hold_release_at,
    stopClosesAt: new Date(stored.stopClosesAt),
    notifyAt: stored.notifyAt.map((at) => new Date(at)),
    releasedAt: stored.releasedAt ? new Date(stored.releasedAt) : null,
    stoppedAt: stored.stoppedAt ? new Date(stored.stoppedAt) : null,
    stoppedBy: stored.stoppedBy ?? null,
    notifications: stored.notifications ?? [],
  };
}

/** The hold as the bank sees it (docs/holds.md): times as ISO strings, nothing about the phone. */
export function publicHold(hold: HoldRecord | null, stopUrl: string | null = null): Record<string, unknown> | null {
  if (!hold) return null;
  return {
    state: hold.state,
    reasons: hold.reasons,
    releaseAt: hold.releaseAt.toISOString(),
    stopClosesAt: hold.stopClosesAt.toISOString(),
    releasedAt: hold.releasedAt?.toISOString() ?? null,
    stoppedAt: hold.stoppedAt?.toISOString() ?? null,
    stoppedBy: hold.stoppedBy,
    stopUrl,
    notifications: hold.notifications,
  };
}
