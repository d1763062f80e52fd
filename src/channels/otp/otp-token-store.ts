// SQL for OTP tokens. Every query names the tenant. The state that makes a code acceptable once
// (counter, last time step, used-response markers) only moves through conditional statements, so
// two concurrent submissions of one code accept it at most once (docs/otp-channel.md).
import type { Envelope } from '../../crypto/envelope.ts';
import type { Queryable, SqlValue } from '../../storage/db.ts';
import type { OcraQuestionDerivation } from './ocra-question.ts';
import type { TotpAlgorithm } from './totp.ts';

interface TokenBase {
  id: string;
  tenantId: string;
  customerId: string;
  label: string | null;
  consecutiveFailures: number;
  lockedAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** TOTP: the step of the last accepted code. */
  lastTimeStep: number | null;
}

export interface OcraTokenRecord extends TokenBase {
  type: 'ocra';
  suite: string;
  questionDerivation: OcraQuestionDerivation;
  /** Counter suites: the next counter value expected. */
  counter: number | null;
}

export interface TotpTokenRecord extends TokenBase {
  type: 'totp';
  algorithm: TotpAlgorithm;
  digits: number;
  period: number;
}

export type OtpTokenRecord = OcraTokenRecord | TotpTokenRecord;

export type NewOtpToken =
  | Omit<OcraTokenRecord, 'consecutiveFailures' | 'lockedAt' | 'createdAt' | 'lastUsedAt' | 'lastTimeStep'>
  | Omit<TotpTokenRecord, 'consecutiveFailures' | 'lockedAt' | 'createdAt' | 'lastUsedAt' | 'lastTimeStep'>;

interface TokenRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  type: 'ocra' | 'totp';
  suite: string | null;
  question_derivation: OcraQuestionDerivation | null;
  algorithm: TotpAlgorithm | null;
  digits: number | null;
  period: number | null;
  seed_enc: string;
  counter: string | number | null;
  last_time_step: string | number | null;
  consecutive_failures: number;
  locked_at: Date | null;
  label: string | null;
  created_at: Date;
  last_used_at: Date | null;
}

/** What a success changes; the WHERE clause checks the state the code was verified against. */
export interface AcceptedCodeState {
  /** Counter suites: the counter the verification started from, and the one to store. */
  counter?: { expected: number; next: number };
  /** TOTP: the matched step; stored only if it is after the stored one. */
  timeStep?: number;
}

const seedContext = (tenantId: string, id: string) => `otp-seed:${tenantId}:${id}`;
const toNumber = (value: string | number | null) => (value === null ? null : Number(value));

export class OtpTokenStore {
  constructor(private readonly envelope: Envelope) {}

  private toRecord(row: TokenRow): OtpTokenRecord {
    const base: TokenBase = {
      id: row.id,
      tenantId: row.tenant_id,
      customerId: row.customer_id,
      label: row.label,
      consecutiveFailures: row.consecutive_failures,
      lockedAt: row.locked_at,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      lastTimeStep: toNumber(row.last_time_step),
    };
    return row.type === 'ocra'
      ? { ...base, type: 'ocra', suite: row.suite!, questionDerivation: row.question_derivation!, counter: toNumber(row.counter) }
      : { ...base, type: 'totp', algorithm: row.algorithm!, digits: row.digits!, period: row.period! };
  }

  /** Records the customer (no foreign key from tokens: erasure and enrollment stay independent). */
  async upsertCustomer(q: Queryable, tenantId: string, customerId: string): Promise<void> {
    await q.query(`INSERT INTO customers (tenant_id, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [tenantId, customerId]);
  }

  /**
   * Locks the customer's row until the transaction ends and returns how many tokens they hold:
   * concurrent enrollments for one customer count one after the other (the row exists: upsertCustomer).
   */
  async lockAndCount(q: Queryable, tenantId: string, customerId: string): Promise<number> {
    await q.query(`SELECT 1 FROM customers WHERE tenant_id = $1 AND customer_id = $2 FOR UPDATE`, [tenantId, customerId]);
    const result = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM otp_tokens WHERE tenant_id = $1 AND customer_id = $2`, [tenantId, customerId]);
    return result.rows[0]!.n;
  }

  async insert(q: Queryable, token: NewOtpToken, seed: Buffer): Promise<OtpTokenRecord> {
    const ocra = token.type === 'ocra' ? token : undefined;
    const totp = token.type === 'totp' ? token : undefined;
    const result = await q.query<TokenRow>(
      `INSERT INTO otp_tokens (id, tenant_id, customer_id, type, suite, question_derivation, algorithm, digits, period, seed_enc, counter, label)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING *`,
      [
        token.id,
        token.tenantId,
        token.customerId,
        token.type,
        ocra?.suite ?? null,
        ocra?.questionDerivation ?? null,
        totp?.algorithm ?? null,
        totp?.digits ?? null,
        totp?.period ?? null,
        this.envelope.encrypt(seed, seedContext(token.tenantId, token.id)),
        ocra?.counter ?? null,
        token.label,
      ],
    );
    return this.toRecord(result.rows[0]!);
  }

  async list(q: Queryable, tenantId: string, customerId: string): Promise<OtpTokenRecord[]> {
    const result = await q.query<TokenRow>(
      `SELECT * FROM otp_tokens WHERE tenant_id = $1 AND customer_id = $2 ORDER BY created_at, id`,
      [tenantId, customerId],
    );
    return result.rows.map((row) => this.toRecord(row));
  }

  async get(q: Queryable, tenantId: string, id: string): Promise<OtpTokenRecord | null> {
    const result = await q.query<TokenRow>(`SELECT * FROM otp_tokens WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return result.rows[0] ? this.toRecord(result.rows[0]) : null;
  }

  /** The token's seed, decrypted for one verification; callers zero it after use. */
  async seed(q: Queryable, token: OtpTokenRecord): Promise<Buffer> {
    const result = await q.query<{ seed_enc: string }>(`SELECT seed_enc FROM otp_tokens WHERE tenant_id = $1 AND id = $2`, [token.tenantId, token.id]);
    const row = result.rows[0];
    if (!row) throw new Error('token vanished');
    return this.envelope.decrypt(row.seed_enc, seedContext(token.tenantId, token.id));
  }

  async delete(q: Queryable, tenantId: string, customerId: string, id: string): Promise<boolean> {
    const result = await q.query(`DELETE FROM otp_tokens WHERE tenant_id = $1 AND customer_id = $2 AND id = $3`, [tenantId, customerId, id]);
    return result.rowCount > 0;
  }

  /** Deletes every token of the customer (erasure); returns their ids. */
  async deleteForCustomer(q: Queryable, tenantId: string, customerId: string): Promise<string[]> {
    const result = await q.query<{ id: string }>(`DELETE FROM otp_tokens WHERE tenant_id = $1 AND customer_id = $2 RETURNING id`, [tenantId, customerId]);
    return result.rows.map((row) => row.id).sort();
  }

  /** Lifts the customer's token locks and failure counts; returns the ids that were locked. */
  async unlockForCustomer(q: Queryable, tenantId: string, customerId: string): Promise<string[]> {
    const result = await q.query<{ id: string }>(
      `UPDATE otp_tokens SET locked_at = NULL, consecutive_failures = 0
       WHERE tenant_id = $1 AND customer_id = $2 AND locked_at IS NOT NULL RETURNING id`,
      [tenantId, customerId],
    );
    return result.rows.map((row) => row.id).sort();
  }

  /**
   * Stores a success, only if the token is unlocked and its state is still what the code was
   * verified against: `counter = expected` (RFC 6287 §5.1: advanced only after a success) and
   * `last_time_step < step` (once per step). The loser of a race gets false.
   */
  async recordSuccess(q: Queryable, tenantId: string, id: string, state: AcceptedCodeState): Promise<boolean> {
    const params: SqlValue[] = [tenantId, id];
    const sets = ['consecutive_failures = 0', 'last_used_at = now()'];
    const conditions = ['tenant_id = $1', 'id = $2', 'locked_at IS NULL'];
    if (state.counter) {
      params.push(state.counter.expected, state.counter.next);
      conditions.push(`counter = $${params.length - 1}`);
      sets.push(`counter = $${params.length}`);
    }
    if (state.timeStep !== undefined) {
      params.push(state.timeStep);
      conditions.push(`(last_time_step IS NULL OR last_time_step < $${params.length})`);
      sets.push(`last_time_step = $${params.length}`);
    }
    const result = await q.query(`UPDATE otp_tokens SET ${sets.join(', ')} WHERE ${conditions.join(' AND ')}`, params);
    return result.rowCount > 0;
  }

  /** Remembers an accepted response of an OCRA suite without counter; false if it was accepted before. */
  async rememberResponse(q: Queryable, tenantId: string, tokenId: string, marker: string): Promise<boolean> {
    const result = await q.query(
      `INSERT INTO otp_used_responses (tenant_id, token_id, marker) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [tenantId, tokenId, marker],
    );
    return result.rowCount > 0;
  }

  /** Counts a wrong code against the token; locks it when `lockAfter` consecutive failures are reached. */
  async recordFailure(q: Queryable, tenantId: string, id: string, lockAfter: number): Promise<{ failures: number; newlyLocked: boolean } | null> {
    const result = await q.query<{ consecutive_failures: number; newly_locked: boolean }>(
      `UPDATE otp_tokens SET consecutive_failures = consecutive_failures + 1,
         locked_at = CASE WHEN locked_at IS NULL AND consecutive_failures + 1 >= $3 THEN now() ELSE locked_at END
       WHERE tenant_id = $1 AND id = $2
       RETURNING consecutive_failures, COALESCE(locked_at = now(), false) AS newly_locked`,
      [tenantId, id, lockAfter],
    );
    const row = result.rows[0];
    return row ? { failures: row.consecutive_failures, newlyLocked: row.newly_locked } : null;
  }
}
