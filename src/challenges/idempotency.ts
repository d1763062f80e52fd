// Idempotency-Key (docs/signing-requests.md): same key + same body → the same response for 24 h; same
// key + another body → 409. The key is claimed before the work starts, so two concurrent retries run
// it once. The work completes the key in the same transaction that stores its result, so a stored
// result never sits behind a key still "in progress"; a claim whose request died before storing
// anything lapses after claimLeaseSeconds and a retry takes it over (docs/reliability.md).
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../storage/db.ts';
import { ProblemError } from '../errors/problem.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** Completes the claimed key with `response` inside the caller's transaction `q`. */
export type CompleteKey = (q: Queryable, response: StoredResponse) => Promise<void>;

/**
 * How long an unfinished claim blocks retries. Longer than a creation takes (policy, eligibility,
 * insert); a slow request overtaken anyway loses nothing: its completion finds the claim gone, its
 * transaction rolls back, and it answers with the response of the request that took over.
 */
export const claimLeaseSeconds = 10;

/** The claim was taken over while the work ran; the work's transaction rolled back. */
class ClaimLost extends Error {
  constructor() {
    super('idempotency claim taken over by a retry');
  }
}

export async function withIdempotency(
  db: Db,
  scope: { tenantId: string; key: string | undefined; requestHash: () => string },
  work: (complete: CompleteKey | undefined) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const { tenantId, key } = scope;
  if (key === undefined) return { ...(await work(undefined)), replayed: false };
  const requestHash = scope.requestHash();
  if (!/^[A-Za-z0-9._:-]{8,128}$/.test(key)) throw new ProblemError('validation_failed', 'Idempotency-Key: 8–128 characters of A–Z a–z 0–9 . _ : -');

  // A key older than 24 h is forgotten (the sweeper deletes it; until then it is treated as gone).
  await db.query(`DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND created_at < now() - interval '24 hours'`, [tenantId, key]);
  const claimToken = randomUUID();
  const claimed = await db.query(
    `INSERT INTO idempotency_keys (tenant_id, idempotency_key, request_hash, claim_token) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [tenantId, key, requestHash, claimToken],
  );
  if (claimed.rowCount === 0) {
    // Another request holds the key. Its claim lapsed unfinished (it died before storing anything,
    // since storing completes the key): take it over, one retry only.
    const takenOver = await db.query(
      `UPDATE idempotency_keys SET claim_token = $4, created_at = now()
       WHERE tenant_id = $1 AND idempotency_key = $2 AND request_hash = $3 AND status_code IS NULL
         AND created_at < now() - interval '${claimLeaseSeconds} seconds'`,
      [tenantId, key, requestHash, claimToken],
    );
    if (takenOver.rowCount === 0) return storedResponse(db, scope, requestHash, work);
  }

  let completed = false;
  const complete: CompleteKey = async (q, response) => {
    const updated = await q.query(
      'UPDATE idempotency_keys SET status_code = $4, response = $5 WHERE tenant_id = $1 AND idempotency_key = $2 AND claim_token = $3 AND status_code IS NULL',
      // Stored as the JSON text of the response (a jsonb string): jsonb would reorder an object's keys.
      [tenantId, key, claimToken, response.status, JSON.stringify(JSON.stringify(response.body))],
    );
    if (updated.rowCount === 0) throw new ClaimLost();
    completed = true;
  };
  try {
    const response = await work(complete);
    // Work that stores nothing of its own completes the key here.
    if (!completed) await complete(db, response);
    return { ...response, replayed: false };
  } catch (error) {
    if (error instanceof ClaimLost) return storedResponse(db, scope, requestHash, work);
    // A request that failed before its result was stored changed nothing: release our claim so a
    // corrected retry can use the key. A completed key (the result is stored) is kept.
    await db
      .query('DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND claim_token = $3 AND status_code IS NULL', [tenantId, key, claimToken])
      .catch(() => undefined);
    throw error;
  }
}

/** The response stored under a key someone else claimed: a replay, or 409 while it is unfinished. */
async function storedResponse(
  db: Db,
  scope: { tenantId: string; key: string | undefined; requestHash: () => string },
  requestHash: string,
  work: (complete: CompleteKey | undefined) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const existing = await db.query<{ request_hash: string; status_code: number | null; response: unknown }>(
    'SELECT request_hash, status_code, response FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2',
    [scope.tenantId, scope.key ?? null],
  );
  const row = existing.rows[0];
  // Released in the meantime (that request failed): claim it afresh.
  if (!row) return withIdempotency(db, { ...scope, requestHash: () => requestHash }, work);
  if (row.request_hash !== requestHash) throw new ProblemError('idempotency_key_reused');
  if (row.status_code === null) throw new ProblemError('idempotency_in_progress');
  return { status: row.status_code, body: typeof row.response === 'string' ? JSON.parse(row.response) : row.response, replayed: true };
}
