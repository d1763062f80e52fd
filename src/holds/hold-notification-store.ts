// SQL for the notification calls of held transfers (table hold_notifications, migration
// 024_hold_notifications.sql). Every statement names the tenant; a notification is claimed once.
import type { Queryable } from '../storage/db.ts';
import { newId } from '../crypto/hashing.ts';
import type { HoldCallStep } from './hold-call-step.ts';

export interface HoldNotificationRow {
  id: string;
  tenant_id: string;
  challenge_id: string;
  seq: number;
  status: 'dialing' | 'answered' | 'ended';
  call_sid: string | null;
  answered_by: string | null;
  ask_seq: number;
  last_step: HoldCallStep | null;
  outcome: string | null;
}

export const holdNotificationStore = {
  /** Claims notification `seq` of a challenge; null when it was claimed before (by a job, the sweep or another worker). */
  async claim(q: Queryable, tenantId: string, challengeId: string, seq: number, status: 'dialing' | 'ended', outcome: string | null = null): Promise<string | null> {
    const result = await q.query<{ id: string }>(
      `INSERT INTO hold_notifications (id, tenant_id, challenge_id, seq, status, outcome, ended_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $5 = 'ended' THEN now() END) ON CONFLICT DO NOTHING RETURNING id`,
      [newId('hnt', 16), tenantId, challengeId, seq, status, outcome],
    );
    return result.rows[0]?.id ?? null;
  },

  async ofChallenge(q: Queryable, tenantId: string, challengeId: string): Promise<HoldNotificationRow[]> {
    const result = await q.query<HoldNotificationRow>('SELECT * FROM hold_notifications WHERE tenant_id = $1 AND challenge_id = $2 ORDER BY seq', [tenantId, challengeId]);
    return result.rows;
  },

  /** The row locked until the end of `tx` (one webhook at a time per call). */
  async lock(tx: Queryable, tenantId: string, id: string): Promise<HoldNotificationRow | null> {
    const result = await tx.query<HoldNotificationRow>('SELECT * FROM hold_notifications WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, id]);
    return result.rows[0] ?? null;
  },

  async update(q: Queryable, tenantId: string, id: string, patch: Partial<Pick<HoldNotificationRow, 'status' | 'call_sid' | 'answered_by' | 'ask_seq' | 'last_step' | 'outcome'>>): Promise<void> {
    const entries = Object.entries(patch);
    if (entries.length === 0) return;
    const sets = entries.map(([column], i) => `${column} = $${i + 3}${column === 'last_step' ? '::jsonb' : ''}`);
    if (patch.status === 'ended') sets.push('ended_at = now()');
    await q.query(`UPDATE hold_notifications SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
      ...entries.map(([column, value]) => (column === 'last_step' ? JSON.stringify(value) : (value as string | number | null))),
    ]);
  },

  /**
   * Held challenges whose stop window is open at `now` and whose last notification is not claimed
   * yet: the sweep checks which of their calls are due (ids and the hold's times only).
   */
  async openHolds(q: Queryable, now: Date, limit: number): Promise<{ tenantId: string; id: string }[]> {
    const result = await q.query<{ tenant_id: string; id: string }>(
      `SELECT c.tenant_id, c.id FROM challenges c
       WHERE c.hold_state = 'held' AND (c.hold->>'stopClosesAt')::timestamptz > $1 AND jsonb_array_length(c.hold->'notifyAt') > 0
         AND (c.hold->'notifyAt'->>0)::timestamptz <= $1
         AND NOT EXISTS (SELECT 1 FROM hold_notifications n WHERE n.tenant_id = c.tenant_id AND n.challenge_id = c.id AND n.seq = jsonb_array_length(c.hold->'notifyAt') - 1)
       ORDER BY c.hold_release_at LIMIT $2`,
      [now, limit],
    );
    return result.rows.map((row) => ({ tenantId: row.tenant_id, id: row.id }));
  },
};
