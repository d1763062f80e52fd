// test: slow, about 61 s
// The suite reuses its in-memory PGlite databases within a test process (test/support/pglite-pool.ts).
// What a reused database must be: empty of the last server's rows and fully migrated, the same schema
// and the same rows and sequences as a new one, whether it was emptied in place or (its schema changed,
// or other modules) migrated again; the closed server's handle refuses statements as a closed PGlite
// does; servers running at once never share one; a database the closed server left inside a
// transaction is never reused; idle ones stay open for the process's next server and close once its
// tests have run, so the process exits at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { channelModules } from '../../src/server/channel-modules.ts';
import type { Db } from '../../src/storage/db.ts';
import { PglitePool, pglitePool } from '../support/pglite-pool.ts';
import { startTestServer } from '../support/test-server.ts';
import { runTestFile } from '../support/run-test-file.ts';

const schemaOf = async (db: Db) =>
  (
    await db.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    )
  ).rows;

/** Every row of every table, and each sequence's next value, in a comparable form. */
const contentOf = async (db: Db) => {
  const relations = (
    await db.query<{ name: string; kind: string }>(
      `SELECT relname AS name, relkind AS kind FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S') ORDER BY relname`,
    )
  ).rows;
  const content: Record<string, unknown> = {};
  for (const { name, kind } of relations) {
    content[name] = kind === 'S'
      ? (await db.query(`SELECT last_value::text, is_called FROM "${name}"`)).rows
      // A database migrated again has its own applied_at: the names say which migrations it has.
      : (await db.query(`SELECT ${name === 'schema_migrations' ? 'name' : 't::text'} AS row FROM "${name}" t ORDER BY 1`)).rows;
  }
  return content;
};

const tenantCount = async (db: Db) => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tenants')).rows[0]!.n);

describe('PGlite databases reused within a test process', () => {
  test('the next server gets the last one\'s database emptied and migrated, not a new PGlite', async () => {
    const first = await startTestServer({ db: 'pglite' });
    let schema;
    try {
      await first.createTenant();
      assert.equal(await tenantCount(first.running.context.db), 1);
      schema = await schemaOf(first.running.context.db);
    } finally {
      await first.close();
    }
    const started = pglitePool.started;
    const second = await startTestServer({ db: 'pglite' });
    try {
      assert.equal(pglitePool.started, started, 'no new PGlite');
      const db = second.running.context.db;
      assert.equal(await tenantCount(db), 0, "none of the last server's rows");
      assert.deepEqual(await schemaOf(db), schema);
      assert.equal((await second.admin('GET', '/admin/v1/tenants')).status, 200);
    } finally {
      await second.close();
    }
  });

  test('the closed handle refuses statements; servers running at once have their own databases', async () => {
    const pool = new PglitePool({ settleMs: 5_000, idleMs: 60_000 });
    const a = await pool.lease(channelModules);
    const b = await pool.lease(channelModules);
    try {
      assert.equal(pool.started, 2);
      await a.query(`INSERT INTO schema_migrations (name) VALUES ('only-in-a')`);
      assert.equal((await b.query(`SELECT 1 FROM schema_migrations WHERE name = 'only-in-a'`)).rowCount, 0);
    } finally {
      await a.close();
    }
    await assert.rejects(a.query('SELECT 1'), /PGlite is closed/);
    await assert.rejects(a.tx((tx) => tx.query('SELECT 1')), /PGlite is closed/);
    const c = await pool.lease(channelModules);
    assert.equal(pool.reused, 1, "a's database, reused");
    assert.equal((await c.query(`SELECT 1 FROM schema_migrations WHERE name = 'only-in-a'`)).rowCount, 0);
    await Promise.all([b.close(), c.close()]);
    await pool.closeIdle();
  });

  test('a database left inside a transaction by its closed server is never reused', async () => {
    const pool = new PglitePool({ settleMs: 300, idleMs: 1_000 });
    const stuck = await pool.lease(channelModules);
    let release!: () => void;
    const open = stuck.tx(() => new Promise<void>((resolve) => (release = resolve)));
    await stuck.close();
    const next = await pool.lease(channelModules);
    try {
      assert.equal(pool.reused, 0);
      assert.equal(pool.started, 2, 'a new PGlite instead');
      assert.equal((await next.query('SELECT 1 AS one')).rowCount, 1);
    } finally {
      release();
      await open.catch(() => undefined);
      await next.close();
      await pool.closeIdle();
    }
  });

  test('a database whose schema is untouched is emptied in place: rows, the migrations\' rows and sequences as in a new one', async () => {
    const pool = new PglitePool({ settleMs: 5_000 });
    const leased: Db[] = [];
    const lease = async () => {
      const db = await pool.lease(channelModules);
      leased.push(db);
      return db;
    };
    try {
      const used = await lease();
      const fresh = await lease();
      const expected = await contentOf(fresh);
      // A server's writes: a tenant, the audit chain's head moved on, the inbox's sequence advanced,
      // and a migration row that a new database does not have.
      await used.query(`INSERT INTO tenants (id, name, bank_name, webhook_secret_enc) VALUES ('t-used', 'Used Bank', 'Used', 'x')`);
      await used.query(`INSERT INTO schema_migrations (name) VALUES ('only-in-used')`);
      await used.query(`UPDATE audit_head SET hash = 'moved-on'`);
      await used.query(`SELECT nextval(pg_get_serial_sequence('audit_inbox', 'id'))`);
      assert.notDeepEqual(await contentOf(used), expected);
      await used.close();
      const reused = await lease();
      assert.equal(pool.emptied, 1, 'emptied in place');
      assert.equal(pool.remigrated, 0);
      assert.deepEqual(await contentOf(reused), expected);
      assert.deepEqual(await schemaOf(reused), await schemaOf(fresh));
    } finally {
      await Promise.all(leased.map((db) => db.close()));
      await pool.closeIdle();
    }
  });

  test('a database whose schema a test changed is migrated again, whatever the change', async () => {
    const pool = new PglitePool({ settleMs: 5_000 });
    const fresh = await pool.lease(channelModules);
    const schema = await schemaOf(fresh);
    const expected = await contentOf(fresh);
    await fresh.close();
    const changes = [
      'CREATE TABLE stray (n int)',
      'ALTER TABLE tenants ADD COLUMN stray int',
      `ALTER TABLE tenants ALTER COLUMN name SET DEFAULT 'stray'`,
      'CREATE INDEX stray_index ON tenants (name)',
      'CREATE FUNCTION stray() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$',
      'ALTER TABLE tenants ADD CONSTRAINT stray CHECK (name IS NOT NULL)',
      'CREATE SCHEMA stray',
    ];
    const leased: Db[] = [];
    try {
      for (const [index, change] of changes.entries()) {
        const db = await pool.lease(channelModules);
        leased.push(db);
        await db.query(change);
        await db.close();
        const next = await pool.lease(channelModules);
        leased.push(next);
        assert.equal(pool.remigrated, index + 1, `after ${change}: migrated again`);
        assert.deepEqual(await schemaOf(next), schema, change);
        assert.deepEqual(await contentOf(next), expected, change);
        await next.close();
      }
      assert.equal(pool.started, 1, 'one PGlite all along');
      assert.equal(pool.emptied, changes.length, 'the databases the changes were made on had been emptied in place');
    } finally {
      await Promise.all(leased.map((db) => db.close()));
      await pool.closeIdle();
    }
  });

  test('a database migrated for other modules is migrated again for the next server\'s', async () => {
    const pool = new PglitePool({ settleMs: 5_000 });
    const withoutOtp = channelModules.filter((module) => module.name !== 'otp');
    const tablesOf = async (db: Db) => (await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((row) => row.t);
    const leased: Db[] = [];
    const lease = async (modules: typeof channelModules) => {
      const db = await pool.lease(modules);
      leased.push(db);
      return db;
    };
    try {
      const all = await lease(channelModules);
      const allTables = await tablesOf(all);
      await all.close();
      const fewer = await lease(withoutOtp);
      assert.equal(pool.remigrated, 1);
      const fewerTables = await tablesOf(fewer);
      assert.ok(fewerTables.length < allTables.length, 'the otp module\'s tables are gone');
      assert.ok(!fewerTables.some((table) => table.startsWith('otp_')));
      await fewer.close();
      const again = await lease(channelModules);
      assert.equal(pool.remigrated, 2);
      assert.deepEqual(await tablesOf(again), allTables);
      // A server's rows in it, then the other modules again: what their databases are emptied back to
      // is read from a just-migrated one, never from this used one.
      await again.query(`INSERT INTO tenants (id, name, bank_name, webhook_secret_enc) VALUES ('t-used', 'Used Bank', 'Used', 'x')`);
      await again.close();
      const fewerAgain = await lease(withoutOtp);
      assert.equal(pool.remigrated, 3);
      await fewerAgain.query(`INSERT INTO tenants (id, name, bank_name, webhook_secret_enc) VALUES ('t-fewer', 'Fewer Bank', 'Fewer', 'x')`);
      await fewerAgain.close();
      const emptied = await lease(withoutOtp);
      assert.equal(pool.emptied, 1, 'emptied in place');
      assert.equal(await tenantCount(emptied), 0);
      assert.deepEqual(await tablesOf(emptied), fewerTables);
    } finally {
      await Promise.all(leased.map((db) => db.close()));
      await pool.closeIdle();
    }
  });

  test('an idle database waits for the process\'s next server, and the process exits once its tests have run', async () => {
    // A child test process: one server, a pause longer than any idle timeout the pool once had, a second
    // server that gets the first one's database; then it must exit at once (an open PGlite from the
    // dump would hold it for ever).
    const { code, output, lingeredMs } = await runTestFile('pool-idle-across-tests.ts');
    assert.equal(code, 0, output);
    assert.match(output, /# pass 2/);
    assert.ok(lingeredMs < 5_000, `the process stayed ${lingeredMs} ms after its tests: an open PGlite kept it alive\n${output}`);
  });

  test('a file whose server closes in its last after hook: the process exits at once', async () => {
    // Its database comes back after the suite's last test; the end-of-tests hook, registered only then,
    // did not run, and the process lived on until the idle bound (30 s) closed the database.
    const { code, output, lingeredMs } = await runTestFile('pool-closed-in-last-after.ts', {}, 1);
    assert.equal(code, 0, output);
    assert.match(output, /# pass 1/);
    assert.ok(lingeredMs < 5_000, `the process stayed ${lingeredMs} ms after its tests: an open PGlite kept it alive\n${output}`);
  });

  test('loaded from inside a test, the pool still leaves nothing open when the process\'s tests end', async () => {
    // Its end-of-tests hook is then the first test's, and the idle bound (1 s here, 30 s by default)
    // is there in case a database outlives it.
    const { code, output, lingeredMs } = await runTestFile('pool-loaded-in-a-test.ts', { TEST_PGLITE_IDLE_MS: '1000' });
    assert.equal(code, 0, output);
    assert.match(output, /# pass 2/);
    assert.ok(lingeredMs < 5_000, `the process stayed ${lingeredMs} ms after its tests: an open PGlite kept it alive\n${output}`);
  });
});
