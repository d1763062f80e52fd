// Applies the .sql migrations in name order, once each, recorded in schema_migrations: the shared
// ones in src/storage/migrations and each channel's own in src/channels/<channel>/migrations (a channel
// is one folder, its tables included). Names are numbered across all folders, so the order is global.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';

const sourceRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every migration file, by name; two files of one name in different folders is a mistake. */
export function migrationFiles(): { name: string; path: string }[] {
  const channelsDir = join(sourceRoot, 'channels');
  const dirs = [
    join(sourceRoot, 'storage', 'migrations'),
    ...readdirSync(channelsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(channelsDir, entry.name, 'migrations'))
      .filter((dir) => existsSync(dir)),
  ];
  const files = dirs.flatMap((dir) => readdirSync(dir).filter((name) => name.endsWith('.sql')).map((name) => ({ name, path: join(dir, name) })));
  const seen = new Map<string, string>();
  for (const file of files) {
    const other = seen.get(file.name);
    if (other) throw new Error(`migration ${file.name} exists twice: ${other} and ${file.path}`);
    seen.set(file.name, file.path);
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function migrate(db: Db): Promise<string[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const { name, path } of migrationFiles()) {
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
