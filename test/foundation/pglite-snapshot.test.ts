// test: slow, about 24 s
// The suite's servers start their in-memory PGlite from a dump of a migrated database
// (test/support/pglite-snapshot.ts) instead of running initdb and every migration. What a server
// started so must hold: every migration applied, nothing left for migrate() to do, the same schema
// as a database migrated from scratch, and a database of its own (a copy, not shared).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { migrate, migrationFiles } from '../../src/storage/migrate.ts';
import { createPgliteDb } from '../../src/storage/pglite-db.ts';
import { openDb } from '../../src/storage/open-db.ts';
import { inMemory, migratedPgliteSnapshot, snapshotPath } from '../support/pglite-snapshot.ts';
import { startTestServer, transferBody } from '../support/test-server.ts';
import { pglitePool } from '../support/pglite-pool.ts';
import { channelModules } from '../../src/server/channel-modules.ts';


const schemaOf = async (db: Awaited<ReturnType<typeof createPgliteDb>>) =>
  (
    await db.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    )
  ).rows;

describe('PGlite from a migrated dump', () => {
  test('has every migration applied and the schema of a database migrated from scratch', async () => {
    // The suite's dump (buildSnapshot's bytes, kept under a name hashed from the migrations and the recipe).
    const fromDump = await openDb(inMemory, channelModules, { memorySnapshot: await migratedPgliteSnapshot(channelModules) });
    const fresh = await createPgliteDb();
    try {
      assert.deepEqual(await migrate(fromDump, channelModules), [], 'nothing left to apply');
      const applied = (await fromDump.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((row) => row.name);
      assert.deepEqual(applied, migrationFiles(channelModules).map((file) => file.name));
      await migrate(fresh, channelModules);
      const schema = await schemaOf(fromDump);
      assert.ok(schema.length > 100, `a real schema (${schema.length} columns)`);
      assert.deepEqual(schema, await schemaOf(fresh));
    } finally {
      await Promise.all([fromDump.close(), fresh.close()]);
    }
  });

  test('each database started from it is its own copy', async () => {
    const snapshot = await migratedPgliteSnapshot(channelModules);
    const first = await openDb(inMemory, channelModules, { memorySnapshot: snapshot });
    const second = await openDb(inMemory, channelModules, { memorySnapshot: snapshot });
    try {
      await first.query(`CREATE TABLE only_in_first (id int)`);
      const seen = await second.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'only_in_first'`);
      assert.equal(seen.rowCount, 0);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  test('is named by the migrations and the PGlite version, so a changed migration builds another', () => {
    assert.match(snapshotPath(channelModules), /stepup-pglite-snapshots\/[0-9a-f]{16}\.tar$/);
    assert.equal(snapshotPath(channelModules), snapshotPath([...channelModules]));
    assert.notEqual(snapshotPath(channelModules), snapshotPath(channelModules.filter((module) => module.name !== 'otp')));
  });

  test('a test server starts from it (its migrations were applied before it started) and serves', async () => {
    await migratedPgliteSnapshot(channelModules);
    // No idle database of an earlier server in this process to reuse (a reused one is migrated anew).
    await pglitePool.closeIdle();
    const before = new Date();
    const server = await startTestServer({ db: 'pglite' });
    try {
      const db = server.running.context.db;
      assert.equal(db.kind, 'pglite');
      const latest = (await db.query<{ latest: Date }>('SELECT max(applied_at) AS latest FROM schema_migrations')).rows[0]!.latest;
      assert.ok(latest < before, `migrations applied at ${latest.toISOString()}, before the server's start at ${before.toISOString()}`);
      const tenant = await server.createTenant();
      const answer = await tenant.client.request('POST', '/v1/challenges', transferBody());
      assert.equal(answer.status, 201);
    } finally {
      await server.close();
    }
  });
});

describe('an in-memory PGlite', () => {
  let fromDump: Awaited<ReturnType<typeof createPgliteDb>>;
  before(async () => {
    fromDump = await createPgliteDb(undefined, { loadDataDir: await migratedPgliteSnapshot(channelModules) });
  });
  after(() => fromDump?.close());

  // Its pages already live in memory (PGlite's in-memory file system): a buffer pool of PostgreSQL's
  // default 128 MB would be a second copy, and zeroing it was a third of what starting one cost.
  test('keeps a small buffer pool (16 MB) and a small WAL segment (1 MB)', async () => {
    assert.equal((await fromDump.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]!.shared_buffers, '16MB');
    assert.equal((await fromDump.query<{ wal_segment_size: string }>('SHOW wal_segment_size')).rows[0]!.wal_segment_size, '1MB');
  });

  test("the suite's dump holds only the database the server uses (a copy reads and writes every database in it)", async () => {
    const { rows } = await fromDump.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY datname');
    assert.deepEqual(rows.map((row) => row.datname), ['postgres']);
  });
});
