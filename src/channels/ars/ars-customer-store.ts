// SQL for what the ARS channel keeps per customer (table ars_customers, migration 002_ars.sql).
// Every statement names the tenant; counters and locks change in single conditional statements.
import type { Queryable } from '../../storage/db.ts';
import type { PositionHistory } from './position-draw.ts';

export interface ArsCustomerRow {
  tenant_id: string;
  customer_id: string;
  phone_enc: string | null;
  phone_masked: string | null;
  phone_hash: string | null;
  line_type: string | null;
  call_forwarding: boolean | null;
  number_changed_at: Date | null;
  /** Set when the customer disputed the change on the call to the old number: ARS refuses this number. */
  phone_suspended_at: Date | null;
  secret_enc: string | null;
  secret_length: number | null;
  consecutive_failures: number;
  locked_at: Date | null;
  /** The position sets asked, per challenge (older rows: bare sets; read with positionHistoryOf). */
  recent_positions: PositionHistory | number[][];
}

/** An ars_customers row as to_jsonb gives it: timestamps as strings. */
export type ArsCustomerJson = Omit<ArsCustomerRow, 'number_changed_at' | 'locked_at' | 'phone_suspended_at'> & { number_changed_at: string | null; locked_at: string | null; phone_suspended_at: string | null };

export const customerFromJson = (json: ArsCustomerJson): ArsCustomerRow => ({
  ...json,
  number_changed_at: json.number_changed_at === null ? null : new Date(json.number_changed_at),
  phone_suspended_at: json.phone_suspended_at == null ? null : new Date(json.phone_suspended_at),
  locked_at: json.locked_at === null ? null : new Date(json.locked_at),
});

export interface PhoneToStore {
  phoneEnc: string;
  phoneMasked: string;
  phoneHash: string;
  lineType: string;
  callForwarding: boolean | null;
  /** When a different number replaced an enrolled one (starts the number-change cooldown); null: no change. */
  changedAt: Date | null;
}

export const arsCustomerStore = {
  async get(q: Queryable, tenantId: string, customerId: string): Promise<ArsCustomerRow | null> {
    const result = await q.query<ArsCustomerRow>('SELECT * FROM ars_customers WHERE tenant_id = $1 AND customer_id = $2', [tenantId, customerId]);
    return result.rows[0] ?? null;
  },

  /** Locks the customer's ARS row until the end of `tx` (serialises decisions about their calls). */
  async lockRow(tx: Queryable, tenantId: string, customerId: string): Promise<void> {
    await tx.query('SELECT 1 FROM ars_customers WHERE tenant_id = $1 AND customer_id = $2 FOR UPDATE', [tenantId, customerId]);
  },

  /** Stores the number (lifting a suspension); `number_changed_at` moves only when a different number replaces one. */
  async upsertPhone(tx: Queryable, tenantId: string, customerId: string, phone: PhoneToStore): Promise<void> {
    await tx.query(
      `INSERT INTO ars_customers (tenant_id, customer_id, phone_enc, phone_masked, phone_hash, line_type, call_forwarding, number_changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)
       ON CONFLICT (tenant_id, customer_id) DO UPDATE SET
         phone_enc = EXCLUDED.phone_enc, phone_masked = EXCLUDED.phone_masked, phone_hash = EXCLUDED.phone_hash,
         line_type = EXCLUDED.line_type, call_forwarding = EXCLUDED.call_forwarding,
         number_changed_at = COALESCE($8, ars_customers.number_changed_at), phone_suspended_at = NULL,
         updated_at = now()`,
      [tenantId, customerId, phone.phoneEnc, phone.phoneMasked, phone.phoneHash, phone.lineType, phone.callForwarding, phone.changedAt],
    );
  },

  async upsertSecret(tx: Queryable, tenantId: string, customerId: string, secretEnc: string, length: number): Promise<void> {
    // A new secret starts a fresh history of asked positions (they were positions of the old one).
    await tx.query(
      `INSERT INTO ars_customers (tenant_id, customer_id, secret_enc, secret_length)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, customer_id) DO UPDATE SET
         secret_enc = EXCLUDED.secret_enc, secret_length = EXCLUDED.secret_length, recent_positions = '[]'::jsonb, updated_at = now()`,
      [tenantId, customerId, secretEnc, length],
    );
  },

  async setRecentPositions(tx: Queryable, tenantId: string, customerId: string, history: PositionHistory): Promise<void> {
    await tx.query('UPDATE ars_customers SET recent_positions = $3::jsonb WHERE tenant_id = $1 AND customer_id = $2', [tenantId, customerId, JSON.stringify(history)]);
  },

  /**
   * Counts one wrong answer; locks ARS when the count reaches `lockAfter` (docs/ars-channel.md step 4). A new
   * position set or a new call never resets it; only a right answer or an admin unlock does.
   */
  async recordFailure(tx: Queryable, tenantId: string, customerId: string, lockAfter: number): Promise<{ failures: number; locked: boolean }> {
    const result = await tx.query<{ consecutive_failures: number; locked_at: Date | null }>(
      `UPDATE ars_customers SET consecutive_failures = consecutive_failures + 1,
         locked_at = CASE WHEN locked_at IS NULL AND consecutive_failures + 1 >= $3 THEN now() ELSE locked_at END,
         updated_at = now()
       WHERE tenant_id = $1 AND customer_id = $2
       RETURNING consecutive_failures, locked_at`,
      [tenantId, customerId, lockAfter],
    );
    const row = result.rows[0];
    return { failures: row?.consecutive_failures ?? 0, locked: Boolean(row?.locked_at) };
  },

  async resetFailures(tx: Queryable, tenantId: string, customerId: string): Promise<void> {
    await tx.query('UPDATE ars_customers SET consecutive_failures = 0, updated_at = now() WHERE tenant_id = $1 AND customer_id = $2 AND consecutive_failures <> 0', [tenantId, customerId]);
  },

  /** Lifts the lock and a suspended number; true when there was one (or failures to forget). */
  async unlock(tx: Queryable, tenantId: string, customerId: string): Promise<boolean> {
    const result = await tx.query(
      `UPDATE ars_customers SET locked_at = NULL, consecutive_failures = 0, phone_suspended_at = NULL, updated_at = now()
       WHERE tenant_id = $1 AND customer_id = $2 AND (locked_at IS NOT NULL OR consecutive_failures > 0 OR phone_suspended_at IS NOT NULL)`,
      [tenantId, customerId],
    );
    return result.rowCount > 0;
  },

  /** Deletes the row; true when it held a phone number. */
  async erase(tx: Queryable, tenantId: string, customerId: string): Promise<boolean> {
    const result = await tx.query<{ had_phone: boolean }>('DELETE FROM ars_customers WHERE tenant_id = $1 AND customer_id = $2 RETURNING phone_enc IS NOT NULL AS had_phone', [tenantId, customerId]);
    return result.rows.some((row) => row.had_phone);
  },
};
