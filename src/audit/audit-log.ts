// Tamper-evident audit trail: every row's hash covers the previous row's hash and its own content,
// so editing or deleting any row breaks the chain from that row on.
import type { Queryable } from '../storage/db.ts';
import { canonicalJson, sha256Hex } from '../crypto/hashing.ts';

export interface AuditEntry {
  tenantId: string | null;
  actor: string;
  action: string;
  subject?: string | null;
  data?: Record<string, unknown>;
}

export interface AuditRow {
  seq: number;
  tenant_id: string | null;
  actor: string;
  action: string;
  subject: string | null;
  data: Record<string, unknown>;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

const genesisHash = '0'.repeat(64);

export function auditRowHash(row: Omit<AuditRow, 'hash'>): string {
  return sha256Hex(
    row.prev_hash +
      canonicalJson({
        seq: row.seq,
        tenantId: row.tenant_id,
        actor: row.actor,
        action: row.action,
        subject: row.subject,
        data: row.data,
        createdAt: row.created_at.toISOString(),
      }),
  );
}

/**
 * Appends one entry. Call inside the transaction that makes the change being audited; the advisory
 * lock serialises appenders on PostgreSQL (PGlite is a single session already).
 */
export async function appendAudit(tx: Queryable, entry: AuditEntry, isPostgres: boolean): Promise<void> {
  if (isPostgres) await tx.query('SELECT pg_advisory_xact_lock(7301002)');
  const last = await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const previous = last.rows[0];
  const row = {
    seq: (previous?.seq ?? 0) + 1,
    tenant_id: entry.tenantId,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    data: JSON.parse(JSON.stringify(entry.data ?? {})) as Record<string, unknown>,
    // Millisecond precision so the stored timestamp round-trips exactly into the hash.
    created_at: new Date(Math.floor(Date.now())),
    prev_hash: previous?.hash ?? genesisHash,
  };
  const hash = auditRowHash(row);
  await tx.query(
    `INSERT INTO audit_log (seq, tenant_id, actor, action, subject, data, created_at, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [row.seq, row.tenant_id, row.actor, row.action, row.subject, JSON.stringify(row.data), row.created_at, row.prev_hash, hash],
  );
}

export type ChainVerdict = { ok: true; rows: number } | { ok: false; brokenAtSeq: number; rows: number };

/** Walks the whole chain in pages; reports the first row whose link or content does not match. */
export async function verifyAuditChain(db: Queryable, pageSize = 1000): Promise<ChainVerdict> {
  let previousHash = genesisHash;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const page = await db.query<AuditRow>(
      'SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2',
      [expectedSeq, pageSize],
    );
    for (const row of page.rows) {
      count += 1;
      if (row.seq !== expectedSeq || row.prev_hash !== previousHash || auditRowHash(row) !== row.hash) {
        return { ok: false, brokenAtSeq: expectedSeq, rows: count };
      }
      previousHash = row.hash;
      expectedSeq += 1;
    }
    if (page.rows.length < pageSize) return { ok: true, rows: count };
  }
}
