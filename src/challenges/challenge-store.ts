// SQL for challenges. Every query names the tenant; the transition UPDATE is the one place a
// challenge leaves `pending`, guarded by `status = 'pending'` so racing deciders produce one result.
import type { Queryable, SqlValue } from '../storage/db.ts';
import { advisoryLockKey } from '../storage/advisory-lock.ts';
import { appendAuditParams, auditEntryCte, withAuditEntry, withAuditEntryWhenChanged, type AuditEntry } from '../audit/audit-log.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { ChannelName } from '../channels/channel.ts';
import type { ChallengeDecision, ChallengeRecord, ChallengeStatus, TransactionDetails } from './challenge-record.ts';
import { holdColumns, holdFromRow, type HoldState } from '../holds/hold-record.ts';
import type { StartedHold } from '../holds/hold-plan.ts';

export interface ChallengeRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  status: ChallengeStatus;
  transaction_masked: Record<string, unknown>;
  transaction_enc: string;
  transaction_hash: string;
  context: Record<string, unknown>;
  decision: ChallengeDecision;
  channel: ChannelName | null;
  channel_state: Record<string, unknown>;
  locale: string;
  callback_url: string | null;
  result_reason: string | null;
  result_details: Record<string, unknown> | null;
  fraud_reported: boolean;
  receipt: string | null;
  created_at: Date;
  expires_at: Date;
  completed_at: Date | null;
  hold_state: HoldState | null;
  hold_release_at: Date | null;
  hold: Parameters<typeof holdFromRow>[0]['hold'];
}

const insertColumns = `id, tenant_id, customer_id, status, transaction_type, transaction_masked, transaction_enc,
  transaction_hash, amount_minor, currency, context, decision, policy_version, channel, channel_state, locale,
  callback_url, result_reason, fraud_reported, receipt, created_at, expires_at, completed_at, result_details,
  hold_state, hold_release_at, hold`;
const insertPlaceholders = `${Array.from({ length: 23 }, (_, i) => `$${i + 1}`).join(',')},$24::jsonb,$25,$26,$27::jsonb`;

// The hot statements' text is built once: the same string object each time, so the prepared
// statement's name is found without hashing a fresh kilobyte of SQL on every request.
const insertStatement = `INSERT INTO challenges (${insertColumns}) VALUES (${insertPlaceholders})`;
const insertIfTodayBelowStatement = `WITH today AS (SELECT stepup_locked_day_total($28, $2, $3, $29, $30, $31) AS total),
       inserted AS (
         INSERT INTO challenges (${insertColumns}) SELECT ${insertPlaceholders} FROM today WHERE today.total < $32 RETURNING id),
       ${auditEntryCte(33, 'inserted')}
       SELECT (SELECT total FROM today)::text AS total, EXISTS (SELECT 1 FROM inserted) AS inserted`;

/** The lock that orders a customer's step-up decisions (two transfers cannot both slip under the threshold). */
const customerDecisionLock = (tenantId: string, customerId: string) => `customer-decision:${tenantId}/${customerId}`;

const transactionContext = (tenantId: string, id: string) => `challenge-transaction:${tenantId}:${id}`;
const customerUrlContext = (tenantId: string, id: string) => `challenge-customer-url:${tenantId}:${id}`;

export class ChallengeStore {
  constructor(private readonly envelope: Envelope) {}

  /**
   * The customer page link, sealed for the challenge's private state: its token opens the page, so
   * it is stored only encrypted under MASTER_KEY, bound to this challenge (docs/security.md, M1).
   */
  sealCustomerUrl(tenantId: string, challengeId: string, url: string): string {
    return this.envelope.encrypt(url, customerUrlContext(tenantId, challengeId));
  }

  /** The link of a challenge whose page may still be used (pending, not past its expiry), else null. */
  liveCustomerUrl(record: ChallengeRecord, now: Date): string | null {
    const sealed = record.channelState.customerUrlSealed;
    if (typeof sealed !== 'string' || record.status !== 'pending' || record.expiresAt <= now) return null;
    return this.envelope.decryptText(sealed, customerUrlContext(record.tenantId, record.id));
  }

  /** A `challenges` row (SELECT * or c.*) as a record, the transaction decrypted. */
  toRecord(row: ChallengeRow): ChallengeRecord {
    const transaction = JSON.parse(this.envelope.decryptText(row.transaction_enc, transactionContext(row.tenant_id, row.id))) as TransactionDetails & { amountMinor?: string };
    return {
      id: row.id,
      tenantId: row.tenant_id,
      customerId: row.customer_id,
      status: row.status,
      transaction: { ...transaction, amountMinor: transaction.amountMinor === undefined ? undefined : BigInt(transaction.amountMinor) },
      transactionMasked: row.transaction_masked,
      transactionHash: row.transaction_hash,
      context: row.context,
      decision: row.decision,
      channel: row.channel,
      channelState: row.channel_state,
      locale: row.locale,
      callbackUrl: row.callback_url,
      resultReason: row.result_reason,
      resultDetails: row.result_details ?? null,
      fraudReported: row.fraud_reported,
      receipt: row.receipt,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      completedAt: row.completed_at,
      hold: holdFromRow(row),
    };
  }

  /** Inserts a new challenge and, in the same statement, its audit entry. */
  async insert(q: Queryable, record: ChallengeRecord, audit: AuditEntry): Promise<void> {
    const statement = withAuditEntry(insertStatement, this.insertParams(record), audit);
    await q.query(statement.sql, statement.params);
  }

  /**
   * Inserts a `not_required` transfer (with its audit entry) only while the customer's transfers
   * today stay below `limit` (cumulativeSumLimit), and returns that sum either way: lock, sum,
   * decision and insert in one statement. stepup_locked_day_total takes the customer's decision lock
   * and reads the sum only once it holds it; run in autocommit, the lock is released when the insert
   * commits, so concurrent transfers of a customer are decided one after the other.
   */
  async insertIfTodayBelow(
    q: Queryable,
    record: ChallengeRecord,
    audit: AuditEntry,
    scope: { currency: string; from: Date; to: Date; limit: bigint },
  ): Promise<{ inserted: boolean; todayMinor: bigint }> {
    const lockKey = advisoryLockKey(customerDecisionLock(record.tenantId, record.customerId));
    const params = [...this.insertParams(record), lockKey, scope.currency, scope.from, scope.to, scope.limit];
    const result = await q.query<{ total: string; inserted: boolean }>(insertIfTodayBelowStatement, [...params, ...appendAuditParams(audit)]);
    const row = result.rows[0]!;
    return { inserted: row.inserted, todayMinor: BigInt(row.total) };
  }

  private insertParams(record: ChallengeRecord): SqlValue[] {
    const transactionJson = JSON.stringify({ ...record.transaction, amountMinor: record.transaction.amountMinor?.toString() });
    return [
      record.id,
      record.tenantId,
      record.customerId,
      record.status,
      record.transaction.type,
      JSON.stringify(record.transactionMasked),
      this.envelope.encrypt(transactionJson, transactionContext(record.tenantId, record.id)),
      record.transactionHash,
      record.transaction.amountMinor ?? null,
      record.transaction.amount?.currency ?? null,
      JSON.stringify(record.context),
      JSON.stringify(record.decision),
      record.decision.policyVersion,
      record.channel,
      JSON.stringify(record.channelState),
      record.locale,
      record.callbackUrl,
      record.resultReason,
      record.fraudReported,
      record.receipt,
      record.createdAt,
      record.expiresAt,
      record.completedAt,
      record.resultDetails ? JSON.stringify(record.resultDetails) : null,
      ...holdColumns(record.hold),
    ];
  }

  async get(q: Queryable, tenantId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<ChallengeRecord | null> {
    const result = await q.query<ChallengeRow>(
      `SELECT * FROM challenges WHERE tenant_id = $1 AND id = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return result.rows[0] ? this.toRecord(result.rows[0]) : null;
  }

  /**
   * The atomic transition: only a still-pending challenge moves, and its audit entry is recorded in
   * the same statement; the loser of a race gets null and records nothing.
   */
  async transition(
    q: Queryable,
    tenantId: string,
    id: string,
    outcome: {
      status: Exclude<ChallengeStatus, 'pending' | 'not_required'>;
      reason: string;
      details?: Record<string, unknown> | undefined;
      fraudReported: boolean;
      receipt: string;
      completedAt: Date;
      /** The hold the transfer starts with this end (docs/holds.md), or null. */
      hold: StartedHold | null;
    },
    audit: AuditEntry,
  ): Promise<ChallengeRecord | null> {
    const statement = withAuditEntryWhenChanged(
      `UPDATE challenges SET status = $3, result_reason = $4, fraud_reported = $5, receipt = $6, completed_at = $7, result_details = $8::jsonb,
         hold_state = $9, hold_release_at = $10, hold = $11::jsonb
       WHERE tenant_id = $1 AND id = $2 AND status = 'pending' RETURNING *`,
      [tenantId, id, outcome.status, outcome.reason, outcome.fraudReported, outcome.receipt, outcome.completedAt, outcome.details ? JSON.stringify(outcome.details) : null, ...holdColumns(outcome.hold)],
      audit,
    );
    const result = await q.query<ChallengeRow>(statement.sql, statement.params);
    return result.rows[0] ? this.toRecord(result.rows[0]) : null;
  }

  /** Merges into channel_state while the challenge is pending (channels keep their progress here). */
  async updateChannelState(q: Queryable, tenantId: string, id: string, patch: Record<string, unknown>): Promise<boolean> {
    const result = await q.query(
      `UPDATE challenges SET channel_state = channel_state || $3::jsonb WHERE tenant_id = $1 AND id = $2 AND status = 'pending'`,
      [tenantId, id, JSON.stringify(patch)],
    );
    return result.rowCount > 0;
  }

  /**
   * Today's approved + not-required transfers of a customer in `currency`, as minor units, without
   * the decision lock (for the reasons of a decision that is step-up whatever the sum).
   */
  async sumTransfers(q: Queryable, scope: { tenantId: string; customerId: string; currency: string | undefined; from: Date; to: Date }): Promise<bigint> {
    if (!scope.currency) return 0n;
    const result = await q.query<{ total: string }>('SELECT stepup_day_total($1, $2, $3, $4, $5)::text AS total', [scope.tenantId, scope.customerId, scope.currency, scope.from, scope.to]);
    return BigInt(result.rows[0]?.total ?? '0');
  }

  /** Pending challenges past their expiry (a safety net behind the delayed expiry jobs). */
  async overdue(q: Queryable, limit: number, now: Date): Promise<{ tenantId: string; id: string }[]> {
    const result = await q.query<{ tenant_id: string; id: string }>(
      `SELECT tenant_id, id FROM challenges WHERE status = 'pending' AND expires_at < $2::timestamptz - interval '5 seconds' ORDER BY expires_at LIMIT $1`,
      [limit, now],
    );
    return result.rows.map((row) => ({ tenantId: row.tenant_id, id: row.id }));
  }
}
