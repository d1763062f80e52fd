// Tamper-evident audit trail: every row's hash covers the previous row's hash, its own sequence
// number and its canonical content, so editing or deleting any row breaks the chain from there on.
//   hash(n) = hex(SHA-256(hash(n-1) | n | canonicalJson({tenantId, actor, action, subject, data, createdAt})))
//
// Writing and chaining are two steps. appendAudit() inserts the entry into audit_inbox inside the
// transaction that makes the audited change, so the entry exists exactly when the change does and
// concurrent writers never wait on each other. sequenceAudit() then moves inbox entries into
// audit_log in batches: it takes the audit_head row lock, numbers the entries in inbox order and
// computes each link. The audit sequencer runs it continuously; readers of the trail flush first.
import type { Db, Queryable, SqlValue } from '../storage/db.ts';
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

type InboxRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'> & { id: number };

const genesisHash = '0'.repeat(64);

const canonicalContent = (row: Pick<AuditRow, 'tenant_id' | 'actor' | 'action' | 'subject' | 'data' | 'created_at'>) =>
  canonicalJson({ tenantId: row.tenant_id, actor: row.actor, action: row.action, subject: row.subject, data: row.data, createdAt: row.created_at.toISOString() });

export const auditRowHash = (row: Omit<AuditRow, 'hash'>) => sha256Hex(`${row.prev_hash}|${row.seq}|${canonicalContent(row)}`);

const inboxInsert = 'INSERT INTO audit_inbox (tenant_id, actor, action, subject, data, created_at)';

/** `$first, …, $first+5`: where an entry's six parameters (appendAuditParams) sit in a statement. */
const entryPlaceholders = (first: number) => Array.from({ length: 6 }, (_, i) => `$${first + i}`).join(', ');

/** The parameters of an inbox insert for one entry (for callers that fold it into a larger statement). */
export const appendAuditParams = (entry: AuditEntry): SqlValue[] => [
  entry.tenantId,
  entry.actor,
  entry.action,
  entry.subject ?? null,
  JSON.stringify(entry.data ?? {}),
  // Millisecond precision, so the stored timestamp round-trips exactly into the hash.
  new Date(Date.now()),
];

/**
 * The statements composed so far, by the statement and its parameter count: callers pass the same few
 * statements again and again, and the same composed string object lets the database adapter find its
 * prepared statement without hashing fresh text (a bounded cache: statements are written in code).
 */
const withEntryStatements = new Map<string, Map<number, string>>();
const whenChangedStatements = new Map<string, Map<number, string>>();
function composed(cache: Map<string, Map<number, string>>, sql: string, paramCount: number, compose: () => string): string {
  // Keyed by the caller's own string (its hash is computed once per string object), then by the count.
  let byCount = cache.get(sql);
  if (byCount === undefined) {
    byCount = new Map();
    if (cache.size < 1000) cache.set(sql, byCount);
  }
  let statement = byCount.get(paramCount);
  if (statement === undefined) byCount.set(paramCount, (statement = compose()));
  return statement;
}

/**
 * Folds the entry's inbox insert into another single statement (an INSERT or UPDATE not starting
 * with WITH) as a data-modifying CTE: the change and its audit entry in one round trip, atomically.
 */
export function withAuditEntry(sql: string, params: readonly SqlValue[], entry: AuditEntry): { sql: string; params: SqlValue[] } {
  return {
    sql: composed(withEntryStatements, sql, params.length, () => `WITH audit_entry AS (${inboxInsert} VALUES (${entryPlaceholders(params.length + 1)})) ${sql}`),
    params: [...params, ...appendAuditParams(entry)],
  };
}

/**
 * Like withAuditEntry for a conditional change (an UPDATE … RETURNING): the entry is recorded only
 * when the statement changed a row, and the statement's rows are returned as they were.
 */
export function withAuditEntryWhenChanged(sql: string, params: readonly SqlValue[], entry: AuditEntry): { sql: string; params: SqlValue[] } {
  return {
    sql: composed(whenChangedStatements, sql, params.length, () => `WITH changed AS (${sql}), ${auditEntryCte(params.length + 1, 'changed')} SELECT * FROM changed`),
    params: [...params, ...appendAuditParams(entry)],
  };
}

/**
 * The CTE `audit_entry` that records an entry when the CTE `source` has rows; its six parameters
 * (appendAuditParams) start at $firstParam. For statements the helpers above do not fit.
 */
export const auditEntryCte = (firstParam: number, source: string) =>
  `audit_entry AS (${inboxInsert} SELECT ${entryPlaceholders(firstParam)} FROM (SELECT 1 FROM ${source} LIMIT 1) AS any_change)`;

/** Records one entry, inside the transaction that makes the audited change. */
export async function appendAudit(tx: Queryable, entry: AuditEntry): Promise<void> {
  await tx.query(`${inboxInsert} VALUES (${entryPlaceholders(1)})`, appendAuditParams(entry));
}

/**
 * Chains up to `batchSize` inbox entries onto audit_log in one transaction and returns how many.
 * The head row lock makes concurrent sequencers (one per worker process) take turns; each one's
 * DELETE starts after it holds the lock, so it only sees entries no one has chained yet.
 */
export async function sequenceAudit(db: Db, batchSize = 2000): Promise<number> {
  // Nothing waiting (the usual case between ticks): no transaction, no lock.
  if ((await db.query('SELECT 1 FROM audit_inbox LIMIT 1')).rowCount === 0) return 0;
  return db.tx(async (tx) => {
    const head = await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE');
    const taken = await tx.query<InboxRow>(
      'DELETE FROM audit_inbox WHERE id IN (SELECT id FROM audit_inbox ORDER BY id LIMIT $1) RETURNING *',
      [batchSize],
    );
    if (taken.rows.length === 0) return 0;
    let seq = Number(head.rows[0]!.seq);
    let previous = head.rows[0]!.hash;
    const rows = taken.rows
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((entry) => {
        const link = { seq: (seq += 1), tenant_id: entry.tenant_id, actor: entry.actor, action: entry.action, subject: entry.subject, data: entry.data, created_at: entry.created_at, prev_hash: previous };
        const hash = auditRowHash(link);
        previous = hash;
        return { ...link, created_at: entry.created_at.toISOString(), hash };
      });
    await tx.query(
      `INSERT INTO audit_log (seq, tenant_id, actor, action, subject, data, created_at, prev_hash, hash)
       SELECT seq, tenant_id, actor, action, subject, data, created_at, prev_hash, hash
       FROM jsonb_to_recordset($1::jsonb) AS r(seq bigint, tenant_id text, actor text, action text, subject text, data jsonb, created_at timestamptz, prev_hash text, hash text)`,
      [JSON.stringify(rows)],
    );
    await tx.query('UPDATE audit_head SET seq = $1, prev_hash = $2, hash = $3 WHERE id = 1', [seq, rows[rows.length - 1]!.prev_hash, previous]);
    return rows.length;
  });
}

/** Chains everything in the inbox now (readers of the trail call this first). */
export async function flushAudit(db: Db, batchSize = 2000): Promise<void> {
  while ((await sequenceAudit(db, batchSize)) === batchSize);
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
