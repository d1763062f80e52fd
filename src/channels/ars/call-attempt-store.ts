// One row per call attempt (table ars_call_attempts). Its states, stored and never renamed:
//
//   claimed ──► dialing ──► answered ──► ended
//      └───────────┴────────────────────► ended   (no-answer, busy, failed, machine, canceled, dial_failed)
//
// `dialing` with no call_sid: Calls.create was sent and its answer lost (timed out); the call may
// exist. Its first webhook binds it, or the reconciler asks the provider; it is never dialed again.
//
// Every Twilio webhook names its attempt; a webhook of an ended or other attempt changes nothing.
// `ask_seq` numbers the questions of the call: a Gather answer carries the number it answers, so a
// retried webhook finds it already handled and gets the same reply back (`last_step`).
import type { Db, Queryable } from '../../storage/db.ts';
import { withAuditEntry, withAuditEntryWhenChanged, type AuditEntry } from '../../audit/audit-log.ts';
import type { CallStep } from './call-step.ts';
import { arsCustomerStore, customerFromJson, type ArsCustomerJson, type ArsCustomerRow } from './ars-customer-store.ts';

export type AttemptStatus = 'claimed' | 'dialing' | 'answered' | 'ended';

/** Twilio call statuses after which nothing more happens on the call. */
export const endedCallStatuses = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export interface CallAttemptRow {
  id: string;
  tenant_id: string;
  challenge_id: string;
  customer_id: string;
  attempt_number: number;
  call_sid: string | null;
  status: AttemptStatus;
  end_reason: string | null;
  answered_by: string | null;
  positions: number[] | null;
  ask_seq: number;
  last_step: CallStep | null;
  answers_given: number;
  no_inputs: number;
  claimed_at: Date;
}

/** The attempt to claim, and now by the application's clock (claims and their lease are stamped with it). */
export interface AttemptClaim {
  id: string;
  tenantId: string;
  challengeId: string;
  customerId: string;
  attemptNumber: number;
  now: Date;
}

/** A claim older than this is taken over (its worker died between claiming and dialing). */
export const claimLeaseSeconds = 30;
/** A call of a challenge that ended longer ago than this is over, even if its status callback was lost. */
const endedCallGraceSeconds = 120;

/** A machine (or a fax) answered: answering-machine detection's `AnsweredBy`. */
export const answeredByMachine = (answeredBy: string | null | undefined) => Boolean(answeredBy?.startsWith('machine') || answeredBy === 'fax');

/** Why an attempt ended, from the provider's final call status and who answered. */
export const endReasonOfCall = (callStatus: string, answeredBy: string | null | undefined) => (answeredByMachine(answeredBy) ? 'machine' : callStatus);

export const callAttemptStore = {
  /**
   * Claims the right to dial attempt `attemptNumber` of a challenge: exactly one caller gets the
   * row back, so two workers never dial the same attempt (a stale claim is taken over).
   */
  async claim(q: Queryable, input: AttemptClaim): Promise<CallAttemptRow | null> {
    const inserted = await q.query<CallAttemptRow>(
      `INSERT INTO ars_call_attempts (id, tenant_id, challenge_id, customer_id, attempt_number, status, claimed_at)
       VALUES ($1, $2, $3, $4, $5, 'claimed', $6)
       ON CONFLICT (tenant_id, challenge_id, attempt_number) DO NOTHING RETURNING *`,
      [input.id, input.tenantId, input.challengeId, input.customerId, input.attemptNumber, input.now],
    );
    if (inserted.rows[0]) return inserted.rows[0];
    const takenOver = await q.query<CallAttemptRow>(
      `UPDATE ars_call_attempts SET claimed_at = $5
       WHERE tenant_id = $1 AND challenge_id = $2 AND attempt_number = $3 AND status = 'claimed' AND call_sid IS NULL
         AND claimed_at < $5::timestamptz - make_interval(secs => $4::double precision)
       RETURNING *`,
      [input.tenantId, input.challengeId, input.attemptNumber, claimLeaseSeconds, input.now],
    );
    return takenOver.rows[0] ?? null;
  },

  /**
   * Whether another attempt of the customer may still be ringing or talking (one live call per
   * customer, docs/ars-channel.md). Read under the customer's row lock (arsCustomerStore.lockRow)
   * before claiming, so two workers cannot both see the line free. A stale claim (its worker died
   * before dialing) and an attempt whose challenge ended minutes ago (its status callback was lost)
   * no longer hold the line.
   */
  async customerHasLiveCall(q: Queryable, input: { tenantId: string; customerId: string; challengeId: string; attemptNumber: number; now: Date }): Promise<boolean> {
    const result = await q.query(
      `SELECT 1 FROM ars_call_attempts a JOIN challenge_states c ON c.tenant_id = a.tenant_id AND c.id = a.challenge_id
       WHERE a.tenant_id = $1 AND a.customer_id = $2 AND a.status <> 'ended' AND NOT (a.challenge_id = $3 AND a.attempt_number = $4)
         AND (a.status <> 'claimed' OR a.call_sid IS NOT NULL OR a.claimed_at > $7::timestamptz - make_interval(secs => $5::double precision))
         AND (c.status = 'pending' OR c.completed_at > $7::timestamptz - make_interval(secs => $6::double precision))
       LIMIT 1`,
      [input.tenantId, input.customerId, input.challengeId, input.attemptNumber, claimLeaseSeconds, endedCallGraceSeconds, input.now],
    );
    return result.rows.length > 0;
  },

  /**
   * One live call per customer: claims the attempt only when no other attempt of the customer is
   * live, checked and claimed under the customer's ARS row lock, so of two workers dialing two
   * challenges of one customer at once exactly one gets the line (test/ars/one-live-call-race.test.ts).
   * `busy` when another call holds it; null when this attempt was claimed already.
   */
  async claimWhenLineFree(db: Db, input: AttemptClaim): Promise<CallAttemptRow | 'busy' | null> {
    return db.tx(async (tx) => {
      await arsCustomerStore.lockRow(tx, input.tenantId, input.customerId);
      if (await callAttemptStore.customerHasLiveCall(tx, input)) return 'busy' as const;
      return callAttemptStore.claim(tx, input);
    });
  },

  async get(q: Queryable, tenantId: string, id: string): Promise<CallAttemptRow | null> {
    const result = await q.query<CallAttemptRow>('SELECT * FROM ars_call_attempts WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return result.rows[0] ?? null;
  },

  /**
   * What every webhook starts with, in one statement: locks the attempt row until the end of `tx`
   * (webhooks of one attempt run one at a time), then the customer's ARS row (failure count,
   * recent positions), in that order. Null when the attempt is missing; `customer` is null when the
   * customer's ARS row is gone (erased). The challenge is the core's: the caller reads it through
   * ChallengeOutcomes.findIn in the same transaction (docs/architecture.md, "Tables have owners").
   */
  async lockForWebhook(tx: Queryable, tenantId: string, id: string): Promise<{ attempt: CallAttemptRow; customer: ArsCustomerRow | null } | null> {
    const result = await tx.query<{ attempt: Omit<CallAttemptRow, 'claimed_at'> & { claimed_at: string }; customer: ArsCustomerJson | null }>(
      `WITH attempt AS (SELECT * FROM ars_call_attempts WHERE tenant_id = $1 AND id = $2 FOR UPDATE),
       customer AS (
         SELECT ars_customers.* FROM ars_customers, attempt
         WHERE ars_customers.tenant_id = attempt.tenant_id AND ars_customers.customer_id = attempt.customer_id
         FOR UPDATE OF ars_customers)
       SELECT to_jsonb(attempt) AS attempt, (SELECT to_jsonb(customer) FROM customer) AS customer FROM attempt`,
      [tenantId, id],
    );
    const row = result.rows[0];
    if (!row) return null;
    const { attempt, customer } = row;
    return { attempt: { ...attempt, claimed_at: new Date(attempt.claimed_at) }, customer: customer ? customerFromJson(customer) : null };
  },

  /**
   * Binds the Twilio call to the attempt (from the Calls.create answer or the first signed webhook,
   * whichever comes first). False when the attempt already belongs to another call.
   */
  async bindCall(q: Queryable, tenantId: string, id: string, callSid: string): Promise<boolean> {
    const result = await q.query(
      `UPDATE ars_call_attempts SET call_sid = $3, status = CASE WHEN status = 'claimed' THEN 'dialing' ELSE status END
       WHERE tenant_id = $1 AND id = $2 AND (call_sid IS NULL OR call_sid = $3)`,
      [tenantId, id, callSid],
    );
    return result.rowCount > 0;
  },

  /** Applies `changes`; with `audit`, its entry is recorded in the same statement. */
  async update(
    tx: Queryable,
    tenantId: string,
    id: string,
    changes: Partial<Pick<CallAttemptRow, 'status' | 'positions' | 'ask_seq' | 'last_step' | 'answers_given' | 'no_inputs' | 'answered_by'>> & { answeredAt?: Date },
    audit?: AuditEntry,
  ): Promise<void> {
    const sql = `UPDATE ars_call_attempts SET
         status = COALESCE($3, status), positions = COALESCE($4::jsonb, positions), ask_seq = COALESCE($5, ask_seq),
         last_step = COALESCE($6::jsonb, last_step), answers_given = COALESCE($7, answers_given), no_inputs = COALESCE($8, no_inputs),
         answered_by = COALESCE($9, answered_by), answered_at = COALESCE($10, answered_at)
       WHERE tenant_id = $1 AND id = $2`;
    const params = [
      tenantId,
      id,
      changes.status ?? null,
      changes.positions ? JSON.stringify(changes.positions) : null,
      changes.ask_seq ?? null,
      changes.last_step ? JSON.stringify(changes.last_step) : null,
      changes.answers_given ?? null,
      changes.no_inputs ?? null,
      changes.answered_by ?? null,
      changes.answeredAt ?? null,
    ];
    const statement = audit ? withAuditEntry(sql, params, audit) : { sql, params };
    await tx.query(statement.sql, statement.params);
  },

  /**
   * Ends the attempt once, recording `audit` in the same statement; null (and nothing recorded)
   * when it had already ended (a retried status callback).
   */
  async end(q: Queryable, tenantId: string, id: string, ending: { reason: string; at: Date }, audit: AuditEntry): Promise<CallAttemptRow | null> {
    const statement = withAuditEntryWhenChanged(
      `UPDATE ars_call_attempts SET status = 'ended', end_reason = $3, ended_at = $4
       WHERE tenant_id = $1 AND id = $2 AND status <> 'ended' RETURNING *`,
      [tenantId, id, ending.reason, ending.at],
      audit,
    );
    const result = await q.query<CallAttemptRow>(statement.sql, statement.params);
    return result.rows[0] ?? null;
  },

  /**
   * Calls.create was sent but its answer never came: `dialing` with no call yet. The attempt holds
   * the customer's line and is never dialed again; its call's first webhook binds it, or the
   * reconciler asks the provider (ArsDialer.resolveUncertainDial).
   */
  async markDialUncertain(q: Queryable, tenantId: string, id: string): Promise<void> {
    await q.query(`UPDATE ars_call_attempts SET status = 'dialing' WHERE tenant_id = $1 AND id = $2 AND status = 'claimed'`, [tenantId, id]);
  },

  /** Which of `callSids` are bound to an attempt already. */
  async boundCallSids(q: Queryable, callSids: string[]): Promise<Set<string>> {
    if (callSids.length === 0) return new Set();
    const result = await q.query<{ call_sid: string }>('SELECT call_sid FROM ars_call_attempts WHERE call_sid = ANY($1)', [callSids]);
    return new Set(result.rows.map((row) => row.call_sid));
  },

  /** Calls that may still be ringing or talking (to hang up when the challenge ends elsewhere). */
  async liveCallSids(q: Queryable, tenantId: string, challengeId: string): Promise<string[]> {
    const result = await q.query<{ call_sid: string }>(
      `SELECT call_sid FROM ars_call_attempts WHERE tenant_id = $1 AND challenge_id = $2 AND status IN ('dialing', 'answered') AND call_sid IS NOT NULL`,
      [tenantId, challengeId],
    );
    return result.rows.map((row) => row.call_sid);
  },
};
