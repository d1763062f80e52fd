// Idempotency-Key (SPEC §5): same key + same body → the same response for 24 h; same key + another
// body → 409. The key is claimed before the work starts, so two concurrent retries run it once.
import type { Db } from '../storage/db.ts';
import { ProblemError } from '../errors/problem.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export async function withIdempotency(
  db: Db,
  scope: { tenantId: string; key: string | undefined; requestHash: () => string },
  work: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const { tenantId, key } = scope;
  if (key === undefined) return { ...(await work()), replayed: false };
  const requestHash = scope.requestHash();
  if (!/^[A-Za-z0-9._:-]{8,128}$/.test(key)) throw new ProblemError('validation_failed', 'Idempotency-Key: 8–128 characters of A–Z a–z 0–9 . _ : -');

  // A key older than 24 h is forgotten (the sweeper deletes it; until then it is treated as gone).
  await db.query(`DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND created_at < now() - interval '24 hours'`, [tenantId, key]);
  const claimed = await db.query(
    `INSERT INTO idempotency_keys (tenant_id, idempotency_key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [tenantId, key, requestHash],
  );
  if (claimed.rowCount === 0) {
    const existing = await db.query<{ request_hash: string; status_code: number | null; response: unknown }>(
      'SELECT request_hash, status_code, response FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2',
      [tenantId, key],
    );
    const row = existing.rows[0];
    if (!row) return withIdempotency(db, { ...scope, requestHash: () => requestHash }, work);
    if (row.request_hash !== requestHash) throw new ProblemError('idempotency_key_reused');
    if (row.status_code === null) throw new ProblemError('idempotency_in_progress');
    // Stored as the JSON text of the response (a jsonb string): jsonb would reorder an object's keys.
    return { status: row.status_code, body: typeof row.response === 'string' ? JSON.parse(row.response) : row.response, replayed: true };
  }
  try {
    const response = await work();
    await db.query('UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE tenant_id = $1 AND idempotency_key = $2', [
      tenantId,
      key,
      response.status,
      JSON.stringify(JSON.stringify(response.body)),
    ]);
    return { ...response, replayed: false };
  } catch (error) {
    // A request that failed changed nothing: release the key so a corrected retry can use it.
    await db.query('DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2', [tenantId, key]).catch(() => undefined);
    throw error;
  }
}
