// The number-change cooldown survives erasure (docs/ars-channel.md, "A changed number"; migration
// 026_phone_changes.sql). Erasing a customer with DELETE removes the number and with it the time it last
// changed, so a fraudster's number enrolled after an erasure would be called at once. A mark keeps
// only a keyed hash of the tenant and customer id (HMAC under a key derived from MASTER_KEY, HKDF,
// RFC 5869) and the time of the change: nothing personal. An enrolment that finds one is a change.
import { createHmac, hkdfSync } from 'node:crypto';
import type { MasterKeys } from '../../crypto/envelope.ts';
import type { Queryable } from '../../storage/db.ts';

/** How long a mark is kept: an enrolment within a year of an erasure or a change is a change. */
export const numberChangeMarkRetentionMs = 365 * 86_400_000;

export class NumberChangeMarks {
  private readonly keys: { id: string; key: Buffer }[];

  constructor(masterKeys: MasterKeys) {
    // One mark key per master key: marks written before a key rotation are still found.
    this.keys = [masterKeys.current, ...masterKeys.previous].map(({ id, key }) => ({ id, key: Buffer.from(hkdfSync('sha256', key, 'stepup', 'number-change-mark v1', 32)) }));
  }

  private marks(tenantId: string, customerId: string): string[] {
    return this.keys.map(({ id, key }) => `${id}:${createHmac('sha256', key).update(`${tenantId}|${customerId}`).digest('base64url')}`);
  }

  /** Records that the customer's number changed (or was erased) at `at`. */
  async record(tx: Queryable, tenantId: string, customerId: string, at: Date): Promise<void> {
    await tx.query(
      `INSERT INTO ars_number_change_marks (tenant_id, customer_mark, changed_at) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, customer_mark) DO UPDATE SET changed_at = GREATEST(ars_number_change_marks.changed_at, EXCLUDED.changed_at)`,
      [tenantId, this.marks(tenantId, customerId)[0]!, at],
    );
  }

  /** Whether the customer's number changed or was erased since `since`. */
  async changedSince(q: Queryable, tenantId: string, customerId: string, since: Date): Promise<boolean> {
    const result = await q.query('SELECT 1 FROM ars_number_change_marks WHERE tenant_id = $1 AND customer_mark = ANY($2) AND changed_at > $3 LIMIT 1', [tenantId, this.marks(tenantId, customerId), since]);
    return result.rows.length > 0;
  }

  /** Deletes marks past their retention (the maintenance sweep), at most `limit`. */
  async sweep(q: Queryable, now: Date, limit = 500): Promise<number> {
    const result = await q.query(
      `DELETE FROM ars_number_change_marks WHERE (tenant_id, customer_mark) IN (
         SELECT tenant_id, customer_mark FROM ars_number_change_marks WHERE changed_at < $1 LIMIT $2)`,
      [new Date(now.getTime() - numberChangeMarkRetentionMs), limit],
    );
    return result.rowCount;
  }
}
