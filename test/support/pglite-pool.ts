// The suite's in-memory PGlite databases, reused within a test process (docs/architecture.md, "The
// suite"). A test server that closes hands its database back; the next server in the process gets it
// back as a new one would be:
// - the schema untouched since its last reset (no catalog row written since), for the same migrations:
//   every table emptied and the rows the migrations wrote, and the sequences, put back
//   (database-emptying.ts). About a tenth of the CPU of a new PGlite from the migrated copy (pglite-snapshot.ts);
// - else (a test changed the schema, or the next server has other modules): the `public` schema dropped,
//   created and migrated again, about half a new one's CPU.
// Servers running at once each get their own PGlite.
//
// Idle databases stay open until the process's tests have all run (a root `after` hook closes them), so
// the files of a batch share them too; an open PGlite started from a dump keeps its process alive for as
// long as it is open, so closing them lets the process exit at once.
//
// A database is taken back only once it has settled: a statement run after the close must answer within
// `settleMs` (a transaction left open by the closed server would hold it for ever: that PGlite is closed
// instead). Once handed back, the closed server's handle refuses every statement, as a closed PGlite does.
import type { Db } from '../../src/storage/db.ts';
import { migrate, type MigrationSource } from '../../src/storage/migrate.ts';
import { openDb } from '../../src/storage/open-db.ts';
import { inMemory, migratedPgliteSnapshot, snapshotPath } from './pglite-snapshot.ts';
import { within } from './within.ts';
import { afterProcessTests } from './after-process-tests.ts';
import { Baselines, emptyInPlace, markOf, schemaChangedSince } from './database-emptying.ts';

/** A database handed back: its migrations (named as their dump is), and the last transaction id before the server had it. */
interface Idle {
  db: Db;
  migrations: string;
  mark: string;
}

export class PglitePool {
  private readonly idle: Idle[] = [];
  /** Databases handed back and still settling: a lease waits for them (a server closed just before). */
  private readonly settling = new Set<Promise<void>>();
  /** What each set of migrations leaves in a new database, read once from the first one. */
  private readonly baselines = new Baselines();
  /** The timer that closes each idle database unless it is leased again first (with `idleMs` only). */
  private readonly closers = new Map<Db, NodeJS.Timeout>();
  /** The end-of-tests hook has run: a database handed back from now on is closed. */
  private ended = false;
  /** PGlite databases this pool started (the rest of its leases were reused ones). */
  started = 0;
  /** Reused databases emptied in place (the schema untouched) and migrated again (after a change). */
  emptied = 0;
  remigrated = 0;

  get reused(): number {
    return this.emptied + this.remigrated;
  }

  /**
   * `idleMs`: close a database idle that long. `closeAtEnd`: close the idle ones once every test of the
   * process has run (a hook of node's root test). Without either, they stay open until `closeIdle()`.
   */
  constructor(private readonly options: { settleMs: number; idleMs?: number; closeAtEnd?: boolean } = { settleMs: 5_000 }) {
    // Registered now, not when the first database comes back: a file whose server closes in its last
    // `after` hook hands its database back after the root's hooks have run, and its process then lived
    // on until `idleMs` closed the database (30 s).
    if (options.closeAtEnd)
      afterProcessTests(() => {
        this.ended = true;
        return this.closeIdle();
      });
  }

  /** Closes every idle database now (a test that needs the next server to start from the dump). */
  async closeIdle(): Promise<void> {
    await Promise.all(this.settling);
    const idle = this.idle.splice(0);
    for (const { db } of idle) {
      clearTimeout(this.closers.get(db));
      this.closers.delete(db);
    }
    await Promise.all(idle.map(({ db }) => db.close().catch(() => undefined)));
  }

  /** A migrated, empty in-memory database for `modules`, reused when one is idle. */
  async lease(modules: readonly MigrationSource[]): Promise<Db> {
    await Promise.all(this.settling);
    // The dump's name names the migrations: databases migrated alike have the same.
    const migrations = snapshotPath(modules);
    // One migrated alike first: it can be emptied in place.
    const alike = this.idle.findIndex((entry) => entry.migrations === migrations);
    if (alike >= 0) this.idle.push(...this.idle.splice(alike, 1));
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      clearTimeout(this.closers.get(entry.db));
      this.closers.delete(entry.db);
      try {
        // Known for these migrations once a database of them was handed out (read when it was new).
        const baseline = entry.migrations === migrations ? await this.baselines.of(migrations) : undefined;
        if (baseline && !(await schemaChangedSince(entry.db, entry.mark))) {
          await emptyInPlace(entry.db, baseline);
          this.emptied++;
        } else {
          await entry.db.query('DROP SCHEMA public CASCADE');
          await entry.db.query('CREATE SCHEMA public');
          await migrate(entry.db, modules);
          await this.baselines.readFrom(migrations, entry.db);
          this.remigrated++;
        }
        return this.leased(entry.db, migrations, await markOf(entry.db));
      } catch {
        await entry.db.close().catch(() => undefined);
      }
    }
    const db = await openDb(inMemory, modules, { memorySnapshot: await migratedPgliteSnapshot(modules) });
    this.started++;
    // Read before the server writes a row: the first database of these migrations shows what they leave.
    await this.baselines.readFrom(migrations, db);
    return this.leased(db, migrations, await markOf(db));
  }

  private leased(db: Db, migrations: string, mark: string): Db {
    let closed = false;
    const refuse = () => Promise.reject(new Error('PGlite is closed'));
    return {
      kind: db.kind,
      query: (sql, params) => (closed ? refuse() : db.query(sql, params)),
      tx: (work) => (closed ? refuse() : db.tx(work)),
      ping: () => (closed ? refuse() : db.ping()),
      pendingForMs: () => db.pendingForMs(),
      close: async () => {
        if (closed) return;
        closed = true;
        const settling = this.takeBack({ db, migrations, mark }).finally(() => this.settling.delete(settling));
        this.settling.add(settling);
      },
    };
  }

  private async takeBack(entry: Idle): Promise<void> {
    const settled = await within(this.options.settleMs, entry.db.query('SELECT 1'), 'a database handed back').then(() => true, () => false);
    if (!settled) {
      void entry.db.close().catch(() => undefined);
      return;
    }
    if (this.ended) {
      // Handed back after the end-of-tests hook ran (a server whose close its test did not await):
      // closed, so nothing is left open to hold the process.
      void entry.db.close().catch(() => undefined);
      return;
    }
    this.idle.push(entry);
    if (this.options.idleMs !== undefined) {
      const closer = setTimeout(() => {
        this.closers.delete(entry.db);
        this.idle.splice(this.idle.indexOf(entry), 1);
        void entry.db.close().catch(() => undefined);
      }, this.options.idleMs);
      this.closers.set(entry.db, closer.unref());
    }
  }
}

/**
 * The test process's pool (test-server.ts takes its in-memory databases from it). Idle databases close
 * when its tests have all run (or, when this module was first loaded from inside a test, when that test
 * ends), and after `TEST_PGLITE_IDLE_MS` (30 s) idle in case that hook does not run: a PGlite started
 * from a dump keeps its process alive for as long as it is open.
 */
export const pglitePool = new PglitePool({ settleMs: 5_000, closeAtEnd: true, idleMs: Number(process.env.TEST_PGLITE_IDLE_MS ?? 30_000) });
