// A migrated database emptied in place for the next test server, as a new one would be (the pools of
// pglite-pool.ts and postgres-pool.ts): every table emptied, the rows the migrations wrote and every
// sequence put back as a just-migrated database of the same migrations has them. Only while its
// schema is the migrations' own: a test that changed it (a table, column, index, function, …) leaves a
// database its pool does not reuse as it is.
import type { Db } from '../../src/storage/db.ts';

/** What a just-migrated database holds besides its schema: put back by every emptying. */
export interface Baseline {
  /** Every table of the `public` schema, quoted. */
  tables: string[];
  /** The rows the migrations wrote (schema_migrations, the audit chain's head), by quoted table, as JSON. */
  seeds: Map<string, string>;
  /** Each sequence's state, by quoted name. */
  sequences: { name: string; lastValue: string; isCalled: boolean }[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Reads what a just-migrated database holds besides its schema. */
export async function baselineOf(db: Db): Promise<Baseline> {
  const relations = (
    await db.query<{ name: string; kind: string }>(
      `SELECT relname AS name, relkind AS kind FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'S') ORDER BY relname`,
    )
  ).rows;
  const tables = relations.filter((relation) => relation.kind !== 'S').map((relation) => quote(relation.name));
  const seeds = new Map<string, string>();
  for (const table of tables) {
    const { rows } = await db.query<{ rows: string | null }>(`SELECT json_agg(t)::text AS rows FROM ${table} t`);
    if (rows[0]!.rows) seeds.set(table, rows[0]!.rows);
  }
  const sequences = [];
  for (const { name } of relations.filter((relation) => relation.kind === 'S')) {
    const { rows } = await db.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${quote(name)}`);
    sequences.push({ name: quote(name), lastValue: rows[0]!.last_value, isCalled: rows[0]!.is_called });
  }
  return { tables, seeds, sequences };
}

/** Each set of migrations' baseline, read once from the first database of them a pool hands out. */
export class Baselines {
  private readonly byMigrations = new Map<string, Promise<Baseline>>();

  /** The baseline of `migrations`, if read (undefined also when its reading failed). */
  async of(migrations: string): Promise<Baseline | undefined> {
    return this.byMigrations.get(migrations)?.catch(() => undefined);
  }

  /** Reads the baseline of `migrations` from `db` if not yet known: only ever called with a just-migrated one. */
  readFrom(migrations: string, db: Db): Promise<Baseline> {
    let baseline = this.byMigrations.get(migrations);
    if (!baseline) {
      baseline = baselineOf(db);
      this.byMigrations.set(migrations, baseline);
      baseline.catch(() => this.byMigrations.delete(migrations));
    }
    return baseline;
  }
}

/** The last transaction id so far: a catalog row written after it has a greater xmin. */
export async function markOf(db: Db): Promise<string> {
  return (await db.query<{ xid: string }>('SELECT txid_current()::text AS xid')).rows[0]!.xid;
}

// Catalogs a schema change writes a row of (a table, column, default, constraint, index, trigger,
// function, view, type, sequence, schema, policy, extension or role): a row written after the mark
// means the schema is no longer the migrations' own. The database's own rows of the catalogs a
// PostgreSQL cluster shares between its databases (its settings, its pg_database row): the other
// databases' rows change all the time on a cluster the suite's processes share.
const catalogs = [
  'pg_class', 'pg_attribute', 'pg_attrdef', 'pg_constraint', 'pg_index', 'pg_trigger', 'pg_proc', 'pg_rewrite',
  'pg_type', 'pg_enum', 'pg_sequence', 'pg_namespace', 'pg_inherits', 'pg_policy', 'pg_extension', 'pg_authid',
];
const changedSince = `SELECT EXISTS (${[
  ...catalogs.map((name) => `SELECT 1 FROM ${name} WHERE xmin::text::bigint > $1::bigint`),
  'SELECT 1 FROM pg_database WHERE datname = current_database() AND xmin::text::bigint > $1::bigint',
  'SELECT 1 FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) AND xmin::text::bigint > $1::bigint',
].join(' UNION ALL ')}) AS changed`;

/** Whether a schema change was written since `mark` (markOf). */
export async function schemaChangedSince(db: Db, mark: string): Promise<boolean> {
  return (await db.query<{ changed: boolean }>(changedSince, [mark])).rows[0]!.changed;
}

/**
 * Every table emptied, and the migrations' rows and the sequences put back, in one transaction.
 * DELETE with the foreign keys' and other triggers off (`session_replication_role`): it writes no new
 * files, where TRUNCATE gives every table and index a new one (PostgreSQL 9 ms against 92 ms, PGlite
 * 16 ms against 45 ms for the shipped schema's empty tables).
 */
export async function emptyInPlace(db: Db, { tables, seeds, sequences }: Baseline): Promise<void> {
  await db.tx(async (tx) => {
    await tx.query('SET LOCAL session_replication_role = replica');
    for (const table of tables) await tx.query(`DELETE FROM ${table}`);
    for (const [table, rows] of seeds) {
      await tx.query(`INSERT INTO ${table} OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [rows]);
    }
    for (const { name, lastValue, isCalled } of sequences) {
      await tx.query('SELECT setval($1::regclass, $2::bigint, $3)', [name, lastValue, isCalled]);
    }
  });
}
