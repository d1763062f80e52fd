// The suite's migrated PostgreSQL databases, reused within a test process (docs/architecture.md, "The
// suite"). A test server on PostgreSQL that closes hands its database back; the next one of the process
// with the same migrations gets it back emptied in place, as a new one would be (database-emptying.ts):
// about 10 ms of CPU, against about 370 ms to copy a database from the migrated template and drop it
// (measured over the whole machine: PostgreSQL copies every block of the template through its WAL).
// A database whose schema a test changed is dropped, and the next lease copies a new one.
//
// Handed back, a database is left by every session still on it (pg_terminate_backend, what the drop's
// FORCE did): nothing of the closed server can write into its next user's database. Idle databases
// are dropped once the process's tests have all run (and one handed back after that, at once); they
// hold no connection meanwhile.
import pg from 'pg';
import type { MigrationSource } from '../../src/storage/migrate.ts';
import { createPgDb } from '../../src/storage/pg-db.ts';
import type { Db } from '../../src/storage/db.ts';
import { afterProcessTests } from './after-process-tests.ts';
import { adminDatabaseUrl, createPostgresDatabase, migrationsKey } from './databases.ts';
import { Baselines, emptyInPlace, markOf, schemaChangedSince } from './database-emptying.ts';

/** A database handed back: its URL, its migrations, the last transaction id before its server had it, and how to drop it. */
interface Idle {
  url: string;
  migrations: string;
  mark: string;
  drop: () => Promise<void>;
}

/** A migrated database leased to a test server; `release` hands it back once the server has closed. */
export interface LeasedDatabase {
  url: string;
  release(): Promise<void>;
}

/** Runs `work` on a short-lived connection pool to `url`. */
async function onDatabase<T>(url: string, work: (db: Db) => Promise<T>): Promise<T> {
  const db = createPgDb(url, { max: 1 });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

export class PostgresPool {
  private readonly idle: Idle[] = [];
  /** What each set of migrations leaves in a new database, read once from the first one. */
  private readonly baselines = new Baselines();
  /** Databases new or reused (emptied in place) by this pool, and dropped for a changed schema. */
  created = 0;
  emptied = 0;
  dropped = 0;
  /** The end-of-tests hook has run: a database handed back from now on is dropped. */
  private ended = false;

  constructor(options: { dropAtEnd?: boolean } = {}) {
    if (options.dropAtEnd)
      afterProcessTests(() => {
        this.ended = true;
        return this.dropIdle();
      });
  }

  /** Drops every idle database now. */
  async dropIdle(): Promise<void> {
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((entry) => entry.drop().catch(() => undefined)));
  }

  /** A migrated, empty database for `modules`, reused when one is idle. */
  async lease(modules: readonly MigrationSource[]): Promise<LeasedDatabase> {
    const migrations = migrationsKey(modules);
    for (let entry = this.takeIdle(migrations); entry; entry = this.takeIdle(migrations)) {
      const baseline = await this.baselines.of(migrations);
      const { mark: handedOutAt } = entry;
      const mark = await onDatabase(entry.url, async (db) => {
        if (!baseline || (await schemaChangedSince(db, handedOutAt))) return undefined;
        await emptyInPlace(db, baseline);
        return markOf(db);
      }).catch(() => undefined);
      if (mark) {
        this.emptied++;
        return this.leased({ ...entry, mark });
      }
      // Its schema changed (or it could not be emptied): dropped, and the next idle one tried.
      this.dropped++;
      await entry.drop().catch(() => undefined);
    }
    const database = await createPostgresDatabase({ migrated: true, modules });
    this.created++;
    const mark = await onDatabase(database.url, async (db) => {
      // Read before the server writes a row: the first database of these migrations shows what they leave.
      await this.baselines.readFrom(migrations, db);
      return markOf(db);
    });
    return this.leased({ url: database.url, migrations, mark, drop: database.drop });
  }

  /** An idle database of `migrations`, taken out of the idle ones. */
  private takeIdle(migrations: string): Idle | undefined {
    const index = this.idle.findIndex((entry) => entry.migrations === migrations);
    return index >= 0 ? this.idle.splice(index, 1)[0] : undefined;
  }

  private leased(entry: Idle): LeasedDatabase {
    let released = false;
    return {
      url: entry.url,
      release: async () => {
        if (released) return;
        released = true;
        try {
          if (this.ended) throw new Error('handed back after the process’s last test');
          await leaveDatabase(entry.url);
          this.idle.push(entry);
        } catch {
          await entry.drop().catch(() => undefined);
        }
      },
    };
  }
}

/** Ends every session on the database at `url` (but the admin connection asking), waiting for each to go. */
async function leaveDatabase(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    const left = await admin.query<{ gone: boolean }>('SELECT pg_terminate_backend(pid, 5000) AS gone FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    if (left.rows.some((row) => !row.gone)) throw new Error(`a session on ${name} did not end`);
  } finally {
    await admin.end();
  }
}

/** The test process's pool (test-server.ts takes its PostgreSQL databases from it). */
export const postgresPool = new PostgresPool({ dropAtEnd: true });
