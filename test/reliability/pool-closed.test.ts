// A request still running when SIGTERM's grace period ran out reaches a pool already closed
// (docs/reliability.md, "Graceful shutdown under keep-alive"). The full chaos run logged 49 of them
// as `500 unhandled error` ("Cannot use a pool after calling end on the pool"): the process is going
// away, which for the caller is an outage of this instance — 503 with Retry-After, to retry elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPgDb } from '../../src/storage/pg-db.ts';
import { isDatabaseUnavailable } from '../../src/http/problem-handler.ts';
import { createPostgresDatabase } from '../support/databases.ts';

test('a statement on a closed pool is an outage (503), not an unexpected error', async () => {
  const database = await createPostgresDatabase();
  const db = createPgDb(database.url);
  try {
    await db.query('SELECT 1');
    await db.close();
    for (const attempt of [() => db.query('SELECT 1'), () => db.tx((tx) => tx.query('SELECT 1'))]) {
      const error = await attempt().then(() => null, (failure: unknown) => failure);
      assert.ok(error instanceof Error, 'the statement fails');
      assert.equal(isDatabaseUnavailable(error), true, `${(error as Error).message} is taken for an outage`);
    }
  } finally {
    await database.drop();
  }
});
