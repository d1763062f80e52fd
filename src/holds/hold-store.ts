// SQL for holds (docs/holds.md). A hold leaves `held` exactly once: both transitions are conditional on
// hold_state = 'held', with their audit entry in the same statement, so a racing stop and release (two
// processes, two connections) produce one winner; the loser changes nothing and records nothing.
import type { Queryable } from '../storage/db.ts';
import { withAuditEntryWhenChanged, type AuditEntry } from '../audit/audit-log.ts';
import type { ChallengeRow } from '../challenges/challenge-store.ts';
import type { StoppedBy } from './hold-record.ts';

const releaseStatement = `UPDATE challenges SET hold_state = 'released', hold = hold || jsonb_build_object('releasedAt', $3::text)
  WHERE tenant_id = $1 AND id = $2 AND hold_state = 'held' AND hold_release_at <= $4::timestamptz RETURNING *`;

// The stop window is part of the condition: a stop that loses to the clock changes nothing.
const stopStatement = `UPDATE challenges SET hold_state = 'stopped', hold = hold || jsonb_build_object('stoppedAt', $3::text, 'stoppedBy', $4::text)
  WHERE tenant_id = $1 AND id = $2 AND hold_state = 'held' AND (hold->>'stopClosesAt')::timestamptz > $5::timestamptz RETURNING *`;

/** Releases a held challenge whose release time has come by `now`; null when it is not (any longer) held or not yet due. */
export async function releaseHold(q: Queryable, tenantId: string, id: string, now: Date, audit: AuditEntry): Promise<ChallengeRow | null> {
  const statement = withAuditEntryWhenChanged(releaseStatement, [tenantId, id, now.toISOString(), now], audit);
  return (await q.query<ChallengeRow>(statement.sql, statement.params)).rows[0] ?? null;
}

/** Stops a held challenge while its stop window is open at `now`; null when it is not held or the window closed. */
export async function stopHold(q: Queryable, tenantId: string, id: string, now: Date, by: StoppedBy, audit: AuditEntry): Promise<ChallengeRow | null> {
  const statement = withAuditEntryWhenChanged(stopStatement, [tenantId, id, now.toISOString(), by, now], audit);
  return (await q.query<ChallengeRow>(statement.sql, statement.params)).rows[0] ?? null;
}

/** Held challenges due for release by `now`, oldest first (the sweep: across tenants, ids only). */
export async function dueHolds(q: Queryable, now: Date, limit: number): Promise<{ tenantId: string; id: string }[]> {
  const result = await q.query<{ tenant_id: string; id: string }>(
    `SELECT tenant_id, id FROM challenges WHERE hold_state = 'held' AND hold_release_at <= $1 ORDER BY hold_release_at LIMIT $2`,
    [now, limit],
  );
  return result.rows.map((row) => ({ tenantId: row.tenant_id, id: row.id }));
}

/** Adds one notification call's outcome to the hold the bank reads (hold.notifications). */
export async function appendHoldNotification(q: Queryable, tenantId: string, id: string, notification: { at: Date; outcome: string }): Promise<void> {
  await q.query(
    `UPDATE challenges SET hold = jsonb_set(hold, '{notifications}', COALESCE(hold->'notifications', '[]'::jsonb)
       || jsonb_build_array(jsonb_build_object('at', $3::text, 'channel', 'call', 'outcome', $4::text)))
     WHERE tenant_id = $1 AND id = $2 AND hold IS NOT NULL`,
    [tenantId, id, notification.at.toISOString(), notification.outcome],
  );
}

export interface HoldListRow {
  id: string;
  customer_id: string;
  status: string;
  transaction_masked: { amount?: { value: string; currency: string }; payee?: { name: string; bank?: string; account: string }; reference?: string };
  hold_state: string;
  hold_release_at: Date;
  hold: { stopClosesAt: string; stoppedBy?: string; reasons: string[] };
}

/** A tenant's holds in one state, soonest release first (the console's "Held transfers"); masked transactions only. */
export async function holdsOf(q: Queryable, tenantId: string, state: string, limit: number): Promise<HoldListRow[]> {
  const result = await q.query<HoldListRow>(
    `SELECT id, customer_id, status, transaction_masked, hold_state, hold_release_at, hold FROM challenges
     WHERE tenant_id = $1 AND hold_state = $2 ORDER BY hold_release_at ${state === 'held' ? 'ASC' : 'DESC'} LIMIT $3`,
    [tenantId, state, limit],
  );
  return result.rows;
}
