// Behind HAProxy, a pooled connection can outlive a failover on a primary that was demoted: every
// write on it fails with SQLSTATE 25006 (read_only_sql_transaction) for as long as the pool keeps it
// (docs/deployment.md, "PostgreSQL"). Such a connection must be dropped, so the next one goes
// through the proxy to the new primary, and the failure answered 503 like any outage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPgDb } from '../../src/storage/pg-db.ts';
import { isDatabaseUnavailable } from '../../src/http/problem-handler.ts';
import { createPostgresDatabase } from '../support/databases.ts';

test('a write refused as read-only (25006) is an outage, and its connection is not used again', async () => {
  const database = await createPostgresDatabase();
  // A server that refuses writes, as a demoted primary does: every transaction read-only.
  const readOnlyUrl = new URL(database.url);
  readOnlyUrl.searchParams.set('options', '-c default_transaction_read_only=on');
  const db = createPgDb(readOnlyUrl.toString(), { max: 1 });
  try {
    let firstPid = 0;
    const refused = await db
      .tx(async (tx) => {
        firstPid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await tx.query('CREATE TABLE written (id int)');
      })
      .then(() => null, (error: unknown) => error);
    assert.equal((refused as { code?: string } | null)?.code, '25006');
    assert.ok(isDatabaseUnavailable(refused), 'answered 503, not 500');
    const nextPid = await db.tx(async (tx) => (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    assert.notEqual(nextPid, firstPid, 'the next transaction runs on a new connection');
  } finally {
    await db.close();
    await database.drop();
  }
});
