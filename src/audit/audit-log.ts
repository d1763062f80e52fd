// Tamper-evident audit trail: every row's hash covers the previous row's hash, its own sequence
// number and its canonical content, so editing or deleting any row breaks the chain from there on.
//   hash(n) = hex(SHA-256(hash(n-1) | n | canonicalJson({tenantId, actor, action, subject, data, createdAt})))
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

const canonicalContent = (row: Pick<AuditRow, 'tenant_id' | 'actor' | 'action' | 'subject' | 'data' | 'created_at'>) =>
  canonicalJson({ tenantId: row.tenant_id, actor: row.actor, action: row.action, subject: row.subject, data: row.data, createdAt: row.created_at.toISOString() });

export const auditRowHash = (row: Omit<AuditRow, 'hash'>) => sha256Hex(`${row.prev_hash}|${row.seq}|${canonicalContent(row)}`);

/**
 * Appends one entry, inside the transaction that makes the audited change. One statement: the
 * head row's update takes the next sequence number and computes the link (its row lock orders
 * concurrent appenders until commit), and the audit row is inserted from it.
 */
export async function appendAudit(tx: Queryable, entry: AuditEntry, _isPostgres?: boolean): Promise<void> {
  const data = JSON.parse(JSON.stringify(entry.data ?? {})) as Record<string, unknown>;
  // Millisecond precision so the stored timestamp round-trips exactly into the hash.
  const createdAt = new Date(Date.now());
  const content = canonicalContent({ tenant_id: entry.tenantId, actor: entry.actor, action: entry.action, subject: entry.subject ?? null, data, created_at: createdAt });
  await tx.query(
    `WITH head AS (
       UPDATE audit_head SET seq = seq + 1, prev_hash = hash,
         hash = encode(sha256(convert_to(hash || '|' || (seq + 1)::text || '|' || $1::text, 'UTF8')), 'hex')
       WHERE id = 1 RETURNING seq, prev_hash, hash)
     INSERT INTO audit_log (seq, tenant_id, actor, action, subject, data, created_at, prev_hash, hash)
     SELECT head.seq, $2, $3, $4, $5, $6, $7, head.prev_hash, head.hash FROM head`,
    [content, entry.tenantId, entry.actor, entry.action, entry.subject ?? null, JSON.stringify(data), createdAt],
  );
}

export type ChainVerdict = { ok: true; rows: number } | { ok: false; brokenAtSeq: number; rows: number };

/**
 * Walks the whole chain in pages; reports the first row whose link or content does not match, and
 * checks the head, so rows deleted from the end are noticed too.
 */
export async function verifyAuditChain(db: Queryable, pageSize = 1000): Promise<ChainVerdict> {
  let previousHash = genesisHash;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const page = await db.query<AuditRow>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [expectedSeq, pageSize]);
    for (const row of page.rows) {
      count += 1;
      if (Number(row.seq) !== expectedSeq || row.prev_hash !== previousHash || auditRowHash({ ...row, seq: Number(row.seq) }) !== row.hash) {
        return { ok: false, brokenAtSeq: expectedSeq, rows: count };
      }
      previousHash = row.hash;
      expectedSeq += 1;
    }
    if (page.rows.length < pageSize) break;
  }
  const head = await db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
  if (Number(head.rows[0]?.seq) !== expectedSeq - 1 || head.rows[0]?.hash !== previousHash) return { ok: false, brokenAtSeq: expectedSeq, rows: count };
  return { ok: true, rows: count };
}
