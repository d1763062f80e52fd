import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import type { Db } from './db.ts';
import { migrate, type MigrationSource } from './migrate.ts';
import { createPgDb } from './pg-db.ts';
import { createPgliteDb } from './pglite-db.ts';

/**
 * PostgreSQL when DATABASE_URL is set, else embedded PGlite in DATA_DIR/pglite (one process per
 * folder; `:memory:` for tests, which may start it from `memorySnapshot`, a dump of a database);
 * migrated on open, with the migrations of the core and of `modules`.
 */
export async function openDb(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbTxGuard'>,
  modules: readonly MigrationSource[],
  options: { memorySnapshot?: Blob } = {},
): Promise<Db> {
  const inMemory = config.dataDir === ':memory:';
  const db = config.databaseUrl
    ? createPgDb(config.databaseUrl, { guardRootQueriesInTx: config.dbTxGuard })
    : await createPgliteDb(inMemory ? undefined : join(config.dataDir, 'pglite'), inMemory && options.memorySnapshot ? { loadDataDir: options.memorySnapshot } : {});
  try {
    await migrate(db, modules);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}
