// Stored decisions written straight into a tenant's challenges, as history for the backtest and the
// dashboard (which read only what is stored): no secret, no live challenge behind them.
import type { Db } from '../../src/storage/db.ts';

export interface SeededDecision {
  /** Made unique per tenant: the stored id is `chl_<tenant id without ten_>_<id>`. */
  id: string;
  customer: string;
  at: Date;
  status: string;
  type?: string;
  /** Whole KRW. */
  amount?: number;
  context?: Record<string, unknown>;
  channel?: string;
  fraud?: boolean;
  holdState?: string;
  resultReason?: string;
}

export const seededId = (tenantId: string, id: string) => `chl_${tenantId.slice(4)}_${id}`;

export async function seedDecisions(db: Db, tenantId: string, rows: SeededDecision[]): Promise<void> {
  for (const row of rows) {
    await db.query(
      `INSERT INTO challenges (id, tenant_id, customer_id, status, transaction_type, transaction_masked, transaction_enc, transaction_hash, amount_minor, currency,
         context, decision, policy_version, channel, locale, fraud_reported, created_at, expires_at, hold_state, result_reason)
       VALUES ($1, $2, $3, $4, $5, '{}'::jsonb, 'seeded', 'seeded', $6, $7, $8, '{}'::jsonb, 0, $9, 'ko-KR', $10, $11, $12, $13, $14)`,
      [
        seededId(tenantId, row.id),
        tenantId,
        row.customer,
        row.status,
        row.type ?? 'transfer',
        row.amount === undefined ? null : String(row.amount),
        row.amount === undefined ? null : 'KRW',
        JSON.stringify(row.context ?? {}),
        row.channel ?? null,
        row.fraud ?? false,
        row.at,
        new Date(row.at.getTime() + 300_000),
        row.holdState ?? null,
        row.resultReason ?? null,
      ],
    );
  }
}
