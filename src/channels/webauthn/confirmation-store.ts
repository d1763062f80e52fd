// The webauthn_confirmations table: the confirmation page of one webauthn challenge. The nonce of
// the assertion in flight is consumed by the verification that uses it, so an assertion is never
// accepted twice even from an authenticator whose signature counter stays at 0.
import type { Queryable } from '../../storage/db.ts';

export interface ConfirmationRecord {
  tenantId: string;
  challengeId: string;
  customerId: string;
  nonce: string | null;
  failures: number;
}

interface ConfirmationRow {
  tenant_id: string;
  challenge_id: string;
  customer_id: string;
  nonce: string | null;
  failures: number;
}

const toRecord = (row: ConfirmationRow): ConfirmationRecord => ({
  tenantId: row.tenant_id,
  challengeId: row.challenge_id,
  customerId: row.customer_id,
  nonce: row.nonce,
  failures: row.failures,
});

export class ConfirmationStore {
  async insert(q: Queryable, record: { tenantId: string; challengeId: string; customerId: string; tokenHash: string }): Promise<void> {
    await q.query(`INSERT INTO webauthn_confirmations (tenant_id, challenge_id, customer_id, token_hash) VALUES ($1, $2, $3, $4)`, [
      record.tenantId,
      record.challengeId,
      record.customerId,
      record.tokenHash,
    ]);
  }

  async byTokenHash(q: Queryable, tokenHash: string): Promise<ConfirmationRecord | null> {
    const result = await q.query<ConfirmationRow>(`SELECT * FROM webauthn_confirmations WHERE token_hash = $1`, [tokenHash]);
    return result.rows[0] ? toRecord(result.rows[0]) : null;
  }

  /** A fresh nonce for the next assertion (the previous one, if any, is dead). */
  async issueNonce(q: Queryable, tenantId: string, challengeId: string, nonce: string): Promise<void> {
    await q.query(`UPDATE webauthn_confirmations SET nonce = $3 WHERE tenant_id = $1 AND challenge_id = $2`, [tenantId, challengeId, nonce]);
  }

  /** Takes the nonce in flight (null when there is none: no options fetched, or already spent). Call inside a transaction. */
  async takeNonce(tx: Queryable, tenantId: string, challengeId: string): Promise<string | null> {
    const locked = await tx.query<{ nonce: string | null }>(`SELECT nonce FROM webauthn_confirmations WHERE tenant_id = $1 AND challenge_id = $2 FOR UPDATE`, [tenantId, challengeId]);
    const nonce = locked.rows[0]?.nonce ?? null;
    if (nonce !== null) await tx.query(`UPDATE webauthn_confirmations SET nonce = NULL WHERE tenant_id = $1 AND challenge_id = $2`, [tenantId, challengeId]);
    return nonce;
  }

  /** Counts a failed assertion; returns the failures so far. */
  async recordFailure(q: Queryable, tenantId: string, challengeId: string): Promise<number> {
    const result = await q.query<{ failures: number }>(`UPDATE webauthn_confirmations SET failures = failures + 1 WHERE tenant_id = $1 AND challenge_id = $2 RETURNING failures`, [tenantId, challengeId]);
    return result.rows[0]?.failures ?? 0;
  }
}
