// The chaos run's API process vanished at a fast PostgreSQL restart (docs/reliability.md, "A fast
// PostgreSQL restart killed the API process"). Its log (kept since) showed an unhandled 'error'
// event on a pg Client: "terminating connection due to administrator command" (57P01). PostgreSQL
// sends that FATAL to every backend on a fast shutdown; when it arrives in the same read as the
// end of a pool query while a transaction waits for a connection, the pool hands the client to the
// waiter inside that read, and the FATAL is emitted before the waiter (resuming a microtask later)
// listens for errors: nobody listens, Node throws, the process exits. This test puts a proxy
// between the pool and PostgreSQL that appends exactly that FATAL to a query's answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createPgDb } from '../../src/storage/pg-db.ts';
import { adminDatabaseUrl } from '../support/databases.ts';

/** ErrorResponse: FATAL 57P01, as PostgreSQL sends it to each backend on `pg_ctl stop -m fast`. */
function fatalAdminShutdown(): Buffer {
  const fields = Buffer.concat(
    [['S', 'FATAL'], ['V', 'FATAL'], ['C', '57P01'], ['M', 'terminating connection due to administrator command']].map(([code, text]) => Buffer.from(`${code}${text}\0`)),
  );
  const body = Buffer.concat([fields, Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** Forwards to PostgreSQL; the answer to the first statement naming `marker` gets the FATAL appended, then the connection ends. */
async function shutdownInjectingProxy(target: URL, marker: string): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port) });
    sockets.add(client).add(upstream);
    let armed = false;
    client.on('data', (chunk) => {
      if (chunk.includes(marker)) armed = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      // ReadyForQuery ('Z', length 5, status) ends the answer to the statement.
      if (armed && chunk.length >= 6 && chunk[chunk.length - 6] === 0x5a) {
        armed = false;
        client.end(Buffer.concat([chunk, fatalAdminShutdown()]));
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

test('a FATAL 57P01 arriving as the pool hands a connection to a waiting transaction does not crash the process', async () => {
  const target = new URL(adminDatabaseUrl());
  const proxy = await shutdownInjectingProxy(target, 'pg_sleep');
  const url = new URL(target);
  url.host = `127.0.0.1:${proxy.port}`;
  const db = createPgDb(url.toString(), { max: 1 });
  const uncaught: Error[] = [];
  const onUncaught = (error: Error) => uncaught.push(error);
  process.prependListener('uncaughtException', onUncaught);
  try {
    // The pool's one connection runs a statement; a transaction waits for that connection.
    const statement = db.query('SELECT pg_sleep(0.2)');
    const waiting = db.tx(async (tx) => (await tx.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one);
    await statement;
    const outcome = await waiting.then((one) => `answered ${one}`, (error: Error) => `failed: ${error.message}`);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(uncaught.map((error) => error.message), [], 'no unhandled error event');
    // The waiting transaction got the dying connection: it fails like any statement in an outage.
    assert.match(outcome, /answered 1|failed: /);
    // And the pool carries on with a new connection.
    assert.equal((await db.query<{ two: number }>('SELECT 2 AS two')).rows[0]!.two, 2);
  } finally {
    process.removeListener('uncaughtException', onUncaught);
    await db.close().catch(() => undefined);
    proxy.close();
  }
});
