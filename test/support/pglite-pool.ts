// The suite's in-memory PGlite databases, reused within a test process (docs/architecture.md, "The
// suite"). A test server that closes hands its database back; the next server in the process gets it
// emptied (the `public` schema dropped and created again) and migrated again, for about the CPU of a new
// PGlite from the migrated copy (pglite-snapshot.ts) since that copy became small (a third of it before);
// a batch still uses slightly less CPU with the reuse. Servers running at once each get their own PGlite.
//
// An idle database is closed after `idleMs` (1 s) unless leased again: an open PGlite keeps its process
// alive for 10 s after its last statement (a timer PostgreSQL arms after each), so the last one's close
// lets the process exit.
//
// A database is taken back only once it has settled: a statement run after the close must answer within
// `settleMs` (a transaction left open by the closed server would hold it for ever: that PGlite is closed
// instead). Once handed back, the closed server's handle refuses every statement, as a closed PGlite does.
import type { Db } from '../../src/storage/db.ts';
import { migrate, type MigrationSource } from '../../src/storage/migrate.ts';
import { openDb } from '../../src/storage/open-db.ts';
import { inMemory, migratedPgliteSnapshot } from './pglite-snapshot.ts';
import { within } from './within.ts';

export class PglitePool {
  private readonly idle: Db[] = [];
  /** The timer that closes each idle database unless it is leased again first. */
  private readonly closers = new Map<Db, NodeJS.Timeout>();
  /** Databases handed back and still settling: a lease waits for them (a server closed just before). */
  private readonly settling = new Set<Promise<void>>();
  /** PGlite databases this pool started (the rest of its leases were reused ones). */
  started = 0;
  reused = 0;

  constructor(private readonly options: { settleMs: number; idleMs: number } = { settleMs: 5_000, idleMs: 1_000 }) {}

  /** Closes every idle database now (a test that needs the next server to start from the dump). */
  async closeIdle(): Promise<void> {
    await Promise.all(this.settling);
    const idle = this.idle.splice(0);
    for (const db of idle) {
      clearTimeout(this.closers.get(db));
      this.closers.delete(db);
    }
    await Promise.all(idle.map((db) => db.close().catch(() => undefined)));
  }

  /** A migrated, empty in-memory database for `modules`, reused when one is idle. */
  async lease(modules: readonly MigrationSource[]): Promise<Db> {
    await Promise.all(this.settling);
    for (let db = this.idle.pop(); db; db = this.idle.pop()) {
      clearTimeout(this.closers.get(db));
      this.closers.delete(db);
      try {
        await db.query('DROP SCHEMA public CASCADE');
        await db.query('CREATE SCHEMA public');
        await migrate(db, modules);
        this.reused++;
        return this.leased(db);
      } catch {
        await db.close().catch(() => undefined);
      }
    }
    const db = await openDb(inMemory, modules, { memorySnapshot: await migratedPgliteSnapshot(modules) });
    this.started++;
    return this.leased(db);
  }

  private leased(db: Db): Db {
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
        const settling = this.takeBack(db).finally(() => this.settling.delete(settling));
        this.settling.add(settling);
      },
    };
  }

  private async takeBack(db: Db): Promise<void> {
    const settled = await within(this.options.settleMs, db.query('SELECT 1'), 'a database handed back').then(() => true, () => false);
    if (!settled) {
      void db.close().catch(() => undefined);
      return;
    }
    this.idle.push(db);
    const closer = setTimeout(() => {
      this.closers.delete(db);
      this.idle.splice(this.idle.indexOf(db), 1);
      void db.close().catch(() => undefined);
    }, this.options.idleMs);
    this.closers.set(db, closer.unref());
  }
}

/** The test process's pool (test-server.ts takes its in-memory databases from it). */
export const pglitePool = new PglitePool();
