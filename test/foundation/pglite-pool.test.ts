// The suite reuses its in-memory PGlite databases within a test process (test/support/pglite-pool.ts).
// What a reused database must be: empty of the last server's rows and fully migrated, the same schema
// as a new one; the closed server's handle refuses statements as a closed PGlite does; servers running
// at once never share one; and a database the closed server left inside a transaction is never reused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { channelModules } from '../../src/server/channel-modules.ts';
import type { Db } from '../../src/storage/db.ts';
import { PglitePool, pglitePool } from '../support/pglite-pool.ts';
import { startTestServer } from '../support/test-server.ts';

const schemaOf = async (db: Db) =>
  (
    await db.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    )
  ).rows;

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
});
