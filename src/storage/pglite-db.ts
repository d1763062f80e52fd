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

export interface PgliteOptions {
  /**
   * Start from this dump of a database (`dumpDataDir`) instead of running initdb: a new in-memory
   * database then costs a fraction of a fresh one's CPU (the suite's servers start from a migrated
   * dump, test/support/pglite-snapshot.ts).
   */
  loadDataDir?: Blob;
}

/**
 * In memory, a database's pages already live in PGlite's in-memory file system: PostgreSQL's default
 * buffer pool (128 MB) would hold a second copy, and zeroing it was a third of a start's CPU. Its WAL
 * is never archived nor replayed after a crash: segments of 1 MB instead of 16 (initdb's
 * --wal-segsize) keep it, and a dump of it (`dumpPgliteDb`), small.
 */
const inMemoryOptions = {
  startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
  initDbStartParams: ['--wal-segsize=1'],
};

/**
 * Embedded PostgreSQL (one session). Transactions go through `db.transaction()` only: a raw BEGIN
 * on the shared handle would let concurrent callers see each other's uncommitted rows. The root
 * handle is guarded (tx-guard.ts): used from inside a transaction it would wait for it forever.
 */
export async function createPgliteDb(dataDir?: string, options: PgliteOptions = {}): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // One process per folder (folder-lock.ts), taken before PGlite reads a file of it.
  const lock = dataDir ? lockFolder(dataDir) : undefined;
  const lite = new PGlite({
    ...(dataDir ? { dataDir } : inMemoryOptions),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  try {
    await lite.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const guard = new TxGuard();
  const pending = new PendingStatements();
  const queryable = wrap(lite, pending, (sql) => guard.assertOutside(() => describeQuery(sql)));
  const db: Db = {
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
  handles.set(db, lite);
  return db;
}

const handles = new WeakMap<Db, PGlite>();

/** The whole data folder of a PGlite database, uncompressed, for `loadDataDir` (checkpointed first). */
export async function dumpPgliteDb(db: Db): Promise<Blob> {
  const lite = handles.get(db);
  if (!lite) throw new Error('dumpPgliteDb: not a PGlite database');
  await db.query('CHECKPOINT');
  return lite.dumpDataDir('none');
}
