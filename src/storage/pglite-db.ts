import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult, SqlValue } from './db.ts';

const normalizeParams = (params: readonly SqlValue[] = []) =>
  params.map((value) => (typeof value === 'bigint' ? value.toString() : value));

function wrap(target: PGlite | Transaction): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly SqlValue[]): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(sql, normalizeParams(params));
      // PGlite reports affectedRows 0 for a SELECT: count the rows then, like pg's rowCount.
      return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
    },
  };
}

/**
 * Embedded PostgreSQL (one session). Transactions go through `db.transaction()` only: a raw BEGIN
 * on the shared handle would let concurrent callers see each other's uncommitted rows.
 */
export async function createPgliteDb(dataDir?: string): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const lite = new PGlite(dataDir);
  await lite.waitReady;
  const queryable = wrap(lite);
  return {
    kind: 'pglite',
    query: queryable.query,
    tx: (work) => lite.transaction((transaction) => work(wrap(transaction))),
    async ping() {
      await lite.query('SELECT 1');
    },
    async close() {
      await lite.close();
    },
  };
}
