// A tenant's stored decisions of a period, in time order, read in keyset pages (docs/admin-api.md
// "Backtest"): memory stays at one page whatever the period holds, on PostgreSQL and PGlite alike.
import type { Queryable } from '../storage/db.ts';

export interface StoredDecision {
  id: string;
  customerId: string;
  status: string;
  transactionType: string;
  amountMinor: bigint | undefined;
  currency: string | undefined;
  context: { designatedDevice?: boolean; riskScore?: number; payeeRegistered?: boolean; payeeRegisteredAt?: string; grade?: string };
  channel: string | null;
  fraudReported: boolean;
  holdState: string | null;
  createdAt: Date;
}

interface DecisionRow {
  id: string;
  customer_id: string;
  status: string;
  transaction_type: string;
  amount_minor: string | null;
  currency: string | null;
  context: StoredDecision['context'];
  channel: string | null;
  fraud_reported: boolean;
  hold_state: string | null;
  created_at: Date;
  /** created_at as the database prints it: microseconds kept, so the next page starts exactly after. */
  cursor_at: string;
}

const columns = `id, customer_id, status, transaction_type, amount_minor::text AS amount_minor, currency, context, channel, fraud_reported, hold_state, created_at, created_at::text AS cursor_at`;
const firstPage = `SELECT ${columns} FROM challenges WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at, id LIMIT $4`;
const nextPage = `SELECT ${columns} FROM challenges WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
  AND (created_at, id) > ($5::timestamptz, $6::text) ORDER BY created_at, id LIMIT $4`;

export async function* storedDecisions(db: Queryable, options: { tenantId: string; from: Date; to: Date; pageSize?: number }): AsyncGenerator<StoredDecision> {
  const pageSize = options.pageSize ?? 5000;
  let after: { at: string; id: string } | undefined;
  for (;;) {
    const params = [options.tenantId, options.from, options.to, pageSize];
    const page = after ? await db.query<DecisionRow>(nextPage, [...params, after.at, after.id]) : await db.query<DecisionRow>(firstPage, params);
    for (const row of page.rows) {
      yield {
        id: row.id,
        customerId: row.customer_id,
        status: row.status,
        transactionType: row.transaction_type,
        amountMinor: row.amount_minor === null ? undefined : BigInt(row.amount_minor),
        currency: row.currency ?? undefined,
        context: row.context ?? {},
        channel: row.channel,
        fraudReported: row.fraud_reported,
        holdState: row.hold_state,
        createdAt: row.created_at,
      };
    }
    if (page.rows.length < pageSize) return;
    const last = page.rows[page.rows.length - 1]!;
    after = { at: last.cursor_at, id: last.id };
  }
}
