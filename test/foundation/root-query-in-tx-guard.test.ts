// The class of the embedded-database hang, made loud (docs/reliability.md "Time as a tested
// dimension"): a query on the root handle, or a second transaction, issued from inside a
// transaction's own async context throws at once, naming the query and the transaction, instead of
// waiting forever on PGlite's one session (or for a second pool connection on PostgreSQL).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPgliteDb } from '../../src/storage/pglite-db.ts';
import { createPgDb } from '../../src/storage/pg-db.ts';
import { RootQueryInTransactionError } from '../../src/storage/tx-guard.ts';
import type { Db } from '../../src/storage/db.ts';
import { createPostgresDatabase, dbKinds } from '../support/databases.ts';
import { within } from '../support/within.ts';
import { migratedPgliteSnapshot } from '../support/pglite-snapshot.ts';
import { channelModules } from '../../src/server/channel-modules.ts';

for (const kind of dbKinds) {
  describe(`root-handle query inside a transaction (${kind})`, () => {
    let db: Db;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      if (kind === 'pglite') db = await createPgliteDb(undefined, { loadDataDir: await migratedPgliteSnapshot(channelModules) });
      else {
        const created = await createPostgresDatabase();
        drop = created.drop;
        db = createPgDb(created.url, { guardRootQueriesInTx: true });
      }
      await db.query('CREATE TABLE guard_probe (n int)');
    });
    after(async () => {
      await db.close();
      await drop?.();
    });

    test('a root query from inside the transaction throws, naming the query and the transaction', async () => {
      const attempt = db.tx(async (tx) => {
        await tx.query('INSERT INTO guard_probe (n) VALUES (1)');
        await db.query('SELECT count(*) FROM guard_probe WHERE n = $1', [1]);
      });
      const error = await within(5_000, attempt.then(() => undefined, (e: unknown) => e), 'the guarded query');
      assert.ok(error instanceof RootQueryInTransactionError, String(error));
      assert.match(error.message, /SELECT count\(\*\) FROM guard_probe/);
      assert.match(error.message, /INSERT INTO guard_probe/, 'names the transaction by its first statement');
      // The test file, compiled (.js) or from its source (.ts, under TEST_TSX=1).
      assert.match(error.message, /root-query-in-tx-guard\.test\.[jt]s/, 'names where the transaction was opened');
      // Rolled back: the insert of the failed transaction is gone, and the database still answers.
      assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM guard_probe')).rows[0]!.n, 0);
    });

    test('a second transaction opened from inside the first throws too', async () => {
      const attempt = db.tx(async () => db.tx(async (inner) => inner.query('SELECT 1')));
      const error = await within(5_000, attempt.then(() => undefined, (e: unknown) => e), 'the nested transaction');
      assert.ok(error instanceof RootQueryInTransactionError, String(error));
    });

    test('work started inside a transaction but run after it committed may use the root handle', async () => {
      let later: Promise<unknown> | undefined;
      await db.tx(async (tx) => {
        await tx.query('INSERT INTO guard_probe (n) VALUES (2)');
        later = new Promise((resolve) => setTimeout(resolve, 20)).then(() => db.query('SELECT count(*)::int AS n FROM guard_probe'));
      });
      const result = (await within(5_000, later!, 'the query after commit')) as { rows: { n: number }[] };
      assert.equal(result.rows[0]!.n, 1);
    });

    test('transactions and root queries side by side (other async contexts) are not refused', async () => {
      await Promise.all([
        db.tx((tx) => tx.query('SELECT 1')),
        db.query('SELECT 2'),
        db.tx((tx) => tx.query('SELECT 3')),
      ]);
    });
  });
}
