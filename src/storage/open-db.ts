import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { createPgDb } from './pg-db.ts';
import { createPgliteDb } from './pglite-db.ts';

/**
 * PostgreSQL when DATABASE_URL is set, else embedded PGlite in DATA_DIR/pglite (one process per
 * folder; `:memory:` for tests, which may start it from `memorySnapshot`, a dump of a database);
 * migrated on open.
 */
export async function openDb(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbTxGuard'>,
  options: { memorySnapshot?: Blob } = {},
): Promise<Db> {
  const inMemory = config.dataDir === ':memory:';
  const db = config.databaseUrl
    ? createPgDb(config.databaseUrl, { guardRootQueriesInTx: config.dbTxGuard })
    : await createPgliteDb(inMemory ? undefined : join(config.dataDir, 'pglite'), inMemory && options.memorySnapshot ? { loadDataDir: options.memorySnapshot } : {});
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}
