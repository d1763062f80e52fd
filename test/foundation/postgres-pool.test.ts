// The PostgreSQL databases of a test process's servers, reused (test/support/postgres-pool.ts): the
// next server gets the last one's database emptied in place, as a new copy of the migrated template
// would be, instead of a new copy (about 370 ms of the machine's CPU to copy one and drop it).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { channelModules } from '../../src/server/channel-modules.ts';
import { createPgDb } from '../../src/storage/pg-db.ts';
import { adminDatabaseUrl, createPostgresDatabase } from '../support/databases.ts';
import { baselineOf } from '../support/database-emptying.ts';
import { PostgresPool, postgresPool } from '../support/postgres-pool.ts';
import { startTestServer, transferBody } from '../support/test-server.ts';

const databaseName = (url: string) => new URL(url).pathname.slice(1);

async function databaseExists(url: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName(url)])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

/** Every row of every table and every sequence of the database at `url`, as a new one is compared. */
async function contentsOf(url: string) {
  const db = createPgDb(url, { max: 1 });
  try {
    const { tables, seeds, sequences } = await baselineOf(db);
    return { tables, seeds: [...seeds], sequences };
  } finally {
    await db.close();
  }
}

describe('PostgreSQL databases reused within a test process', () => {
  let fresh: { url: string; drop: () => Promise<void> };
  before(async () => {
    fresh = await createPostgresDatabase({ migrated: true, modules: channelModules });
  });
  after(() => fresh.drop());

  test('a database handed back is emptied for its next lease: every row and sequence as in a new copy', async () => {
    const pool = new PostgresPool();
    const leased = await pool.lease(channelModules);
    const server = await startTestServer({ env: { DATABASE_URL: leased.url } });
    const { client } = await server.createTenant();
    assert.equal((await client.createChallenge(transferBody({}, '5000000'))).status, 201);
    await server.close();
    assert.notDeepEqual(await contentsOf(leased.url), await contentsOf(fresh.url), 'the server wrote rows');
    await leased.release();

    const next = await pool.lease(channelModules);
    try {
      assert.equal(next.url, leased.url, 'the same database');
      assert.equal(pool.emptied, 1);
      assert.deepEqual(await contentsOf(next.url), await contentsOf(fresh.url));
    } finally {
      await next.release();
      await pool.dropIdle();
    }
  });

  test('the next server gets the last one’s database, and it works as a new one', async () => {
    await postgresPool.dropIdle();
    const first = await startTestServer({ db: 'postgres' });
    const { client } = await first.createTenant();
    assert.equal((await client.createChallenge(transferBody({}, '5000000'))).status, 201);
    const used = first.config.databaseUrl!;
    await first.close();
    assert.equal(await databaseExists(used), true, 'kept for the next server');

    const emptiedBefore = postgresPool.emptied;
    const second = await startTestServer({ db: 'postgres' });
    try {
      assert.equal(second.config.databaseUrl, used, 'the same database');
      assert.equal(postgresPool.emptied, emptiedBefore + 1);
      const again = await second.createTenant();
      assert.equal((await again.client.createChallenge(transferBody({}, '5000000'))).status, 201);
    } finally {
      await second.close();
    }
  });

  test('a database whose schema a test changed is dropped, and the next lease gets a new copy', async () => {
    const pool = new PostgresPool();
    const leased = await pool.lease(channelModules);
    const db = createPgDb(leased.url, { max: 1 });
    await db.query('CREATE TABLE left_behind (id int)');
    await db.close();
    await leased.release();

    const next = await pool.lease(channelModules);
    try {
      assert.notEqual(next.url, leased.url);
      assert.equal(await databaseExists(leased.url), false, 'the changed one was dropped');
      assert.equal(pool.dropped, 1);
    } finally {
      await next.release();
      await pool.dropIdle();
    }
  });

  test('a session still on a handed-back database is ended: nothing of the closed server writes into the next one', async () => {
    const pool = new PostgresPool();
    const leased = await pool.lease(channelModules);
    const straggler = new pg.Client({ connectionString: leased.url });
    await straggler.connect();
    const ended = new Promise<Error>((resolve) => straggler.on('error', resolve));
    await leased.release();
    assert.match(String(await ended), /terminat/i);
    await assert.rejects(straggler.query('SELECT 1'));

    const next = await pool.lease(channelModules);
    assert.equal(next.url, leased.url, 'then reused');
    await next.release();
    await pool.dropIdle();
    assert.equal(await databaseExists(leased.url), false, 'dropIdle drops what is idle');
  });

  test('servers with other modules get another database', async () => {
    const pool = new PostgresPool();
    const shipped = await pool.lease(channelModules);
    await shipped.release();
    const fewer = await pool.lease(channelModules.slice(0, 1));
    try {
      assert.notEqual(fewer.url, shipped.url);
      assert.equal(pool.created, 2);
    } finally {
      await fewer.release();
      await pool.dropIdle();
    }
  });
});
