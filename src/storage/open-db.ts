import type { Config } from '../config/config.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { createPgDb } from './pg-db.ts';
import { createPgliteDb } from './pglite-db.ts';
import { join } from 'node:path';

/** PostgreSQL when DATABASE_URL is set, else embedded PGlite in DATA_DIR; migrated on open. */
export async function openDb(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Db> {
  const db = config.databaseUrl ? createPgDb(config.databaseUrl) : await createPgliteDb(join(config.dataDir, 'pglite'));
  await migrate(db);
  return db;
}
