// Applies the .sql migrations in name order, once each, recorded in schema_migrations: the core's in
// src/storage/migrations and those each module it is given declares (ChannelModule.migrations, a folder:
// a module's tables are its own, docs/architecture.md "How a channel plugs in"). Names are unique across
// the folders and one name order runs through them all, so a database migrated before modules declared
// their folders (the shipped ones' were found by folder then) sees the same names and nothing new to do.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';

const coreMigrations = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** What migrate() needs of a module: its name and the folder of its migrations, if it has tables. */
export interface MigrationSource {
  name: string;
  migrations?: URL;
}

/** Every migration file of the core and these modules, by name; one name in two folders is a mistake. */
export function migrationFiles(modules: readonly MigrationSource[]): { name: string; path: string; owner: string }[] {
  const dirs = [
    { owner: 'core', dir: coreMigrations },
    ...modules.flatMap((module) => (module.migrations ? [{ owner: module.name, dir: fileURLToPath(module.migrations) }] : [])),
  ];
  const files = dirs.flatMap(({ owner, dir }) => {
    if (!existsSync(dir)) throw new Error(`the ${owner} module's migrations folder does not exist: ${dir}`);
    return readdirSync(dir).filter((name) => name.endsWith('.sql')).map((name) => ({ name, path: join(dir, name), owner }));
  });
  const seen = new Map<string, string>();
  for (const file of files) {
    const other = seen.get(file.name);
    if (other) throw new Error(`migration ${file.name} exists twice: ${other} and ${file.path}`);
    seen.set(file.name, file.path);
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Applies what is new of the core's and these modules' migrations; returns the names applied. */
export async function migrate(db: Db, modules: readonly MigrationSource[]): Promise<string[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const { name, path } of migrationFiles(modules)) {
    const sql = readFileSync(path, 'utf8');
    const didApply = await db.tx(async (tx) => {
      // Several processes may start at once on PostgreSQL: serialise migrations on an advisory lock.
      if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7301001)');
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
      if (done.rowCount > 0) return false;
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      return true;
    });
    if (didApply) applied.push(name);
  }
  return applied;
}

/**
 * Splits a migration into statements on semicolons at line ends, except inside a $$-quoted
 * function body; comment lines are dropped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  let inBody = false;
  for (const line of sql.split('\n')) {
    if (!inBody && /^\s*--/.test(line)) continue;
    current.push(line);
    inBody = (line.match(/\$\$/g)?.length ?? 0) % 2 === 1 ? !inBody : inBody;
    if (!inBody && /;\s*$/.test(line)) {
      statements.push(current.join('\n').replace(/;\s*$/, '').trim());
      current = [];
    }
  }
  statements.push(current.join('\n').trim());
  return statements.filter((statement) => statement.length > 0);
}
