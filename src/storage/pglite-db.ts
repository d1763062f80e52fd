import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult, SqlValue } from './db.ts';
import { describeQuery, noteStatement, TxGuard } from './tx-guard.ts';
import { lockFolder } from './folder-lock.ts';
import { PendingStatements } from './pending-statements.ts';

const normalizeParams = (params: readonly SqlValue[] = []) =>
  params.map((value) => (typeof value === 'bigint' ? value.toString() : value));

function wrap(target: PGlite | Transaction, pending: PendingStatements, before: (sql: string) => void): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly SqlValue[]): Promise<QueryResult<Row>> {
      before(sql);
      const result = await pending.around(() => target.query<Row>(sql, normalizeParams(params)));
      // PGlite reports affectedRows 0 for a SELECT: count the rows then, like pg's rowCount.
      return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
    },
  };
}

/**
 * Embedded PostgreSQL (one session). Transactions go through `db.transaction()` only: a raw BEGIN
 * on the shared handle would let concurrent callers see each other's uncommitted rows. The root
 * handle is guarded (tx-guard.ts): used from inside a transaction it would wait for it forever.
 */
export async function createPgliteDb(dataDir?: string): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // One process per folder (folder-lock.ts), taken before PGlite reads a file of it.
  const lock = dataDir ? lockFolder(dataDir) : undefined;
  const lite = new PGlite(dataDir);
  try {
    await lite.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const guard = new TxGuard();
  const pending = new PendingStatements();
  const queryable = wrap(lite, pending, (sql) => guard.assertOutside(() => describeQuery(sql)));
  return {
    kind: 'pglite',
    query: queryable.query,
    tx(work) {
      const opened = guard.open();
      return lite.transaction((transaction) => guard.run(opened, () => work(wrap(transaction, pending, noteStatement(opened)))));
    },
    async ping() {
      guard.assertOutside(() => 'The readiness probe');
      await lite.query('SELECT 1');
    },
    pendingForMs: () => pending.oldestMs(),
    async close() {
      await lite.close();
      lock?.release();
    },
  };
}
