// Test databases: PGlite in memory, or a fresh database on the throwaway PostgreSQL cluster that
// scripts/test.sh starts (TEST_DATABASE_URL). Suites that touch storage run against both.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, type MigrationSource } from '../../src/storage/migrate.ts';
import { createPgDb } from '../../src/storage/pg-db.ts';
import { migrationFilesHash } from './migration-files-hash.ts';

export type DbKind = 'pglite' | 'postgres';
export const dbKinds: DbKind[] = ['pglite', 'postgres'];

export function adminDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the suite with `npm test`, which starts a throwaway PostgreSQL');
  return url;
}

const databaseUrl = (name: string): string => {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
};

/** The name of the migrated template for `modules`: it names their migrations (the files' names and contents). */
export const migrationsKey = (modules: readonly MigrationSource[]): string => `stepup_template_${migrationFilesHash(modules)}`;

/**
 * The name of a database with the core's and `modules`' migrations applied, built once per set of
 * migrations (named by their hash — the files the server will migrate, so a changed migration or
 * another module list builds another) under an advisory lock, so test files starting at once build it
 * once. Nothing connects to it after: it only serves as a template.
 */
async function migratedTemplate(admin: pg.Client, modules: readonly MigrationSource[]): Promise<string> {
  const template = migrationsKey(modules);
  const exists = async () => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount! > 0;
  if (await exists()) return template;
  await admin.query('SELECT pg_advisory_lock(7301002)');
  try {
    if (await exists()) return template;
    const building = `${template}_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${building}`);
    const db = createPgDb(databaseUrl(building));
    try {
      await migrate(db, modules);
    } finally {
      await db.close();
    }
    // Renamed once complete: a template that exists is a migrated one.
    await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    return template;
  } finally {
    await admin.query('SELECT pg_advisory_unlock(7301002)');
  }
}

/** The shipped modules (loaded only when a migrated database is asked for without a module list). */
const shippedModules = async (): Promise<readonly MigrationSource[]> => (await import('../../src/server/channel-modules.ts')).channelModules;

/**
 * Creates a database and returns its URL and a function that drops it: empty, or with `migrated` a
 * copy of a database the core's and `modules`' migrations (the shipped modules' by default) were
 * applied to (a server with the same modules then has nothing to migrate).
 */
export async function createPostgresDatabase(options: { migrated?: boolean; modules?: readonly MigrationSource[] } = {}): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = adminDatabaseUrl();
  const name = `stepup_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const template = options.migrated ? await migratedTemplate(admin, options.modules ?? (await shippedModules())) : undefined;
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(name),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
