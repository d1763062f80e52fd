import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db, Queryable, QueryResult, SqlValue } from './db.ts';
import { describeQuery, noteStatement, TxGuard, type OpenTransaction } from './tx-guard.ts';
import { PendingStatements } from './pending-statements.ts';
import { ConnectionGate } from './connection-gate.ts';

// int8 as a JS number in both adapters (PGlite does the same); money lives in numeric columns (strings).
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

// bigint as its digits; a Date as ISO 8601 in UTC (node-postgres would otherwise format it in local
// time field by field, a dozen small strings per timestamp; the instant and its milliseconds are the same).
const normalizeParams = (params: readonly SqlValue[] = []) =>
  params.map((value) => (typeof value === 'bigint' ? value.toString() : value instanceof Date ? value.toISOString() : value));

// Parameterised statements run as named prepared statements: PostgreSQL parses and plans each one
// once per connection instead of on every request (the hot paths repeat the same few statements).
// Statements without parameters (migrations' DDL, BEGIN/COMMIT) run as they are.
const statementNames = new Map<string, string>();
const statementName = (sql: string) => {
  let name = statementNames.get(sql);
  if (name === undefined) statementNames.set(sql, (name = `s_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`));
  return name;
};

/** `gate`: for the pool (a statement takes a connection of its own); a transaction's client has one already. */
function wrap(client: pg.Pool | pg.PoolClient, pending: PendingStatements, before?: (sql: string) => void, gate?: ConnectionGate): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly SqlValue[]): Promise<QueryResult<Row>> {
      before?.(sql);
      const values = normalizeParams(params);
      const token = pending.begin();
      let result: pg.QueryResult;
      const run = () => (values.length > 0 ? client.query({ name: statementName(sql), text: sql, values }) : client.query(sql));
      try {
        result = gate ? await gate.around(run) : await run();
      } finally {
        pending.end(token);
      }
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
}

const ignoreError = () => undefined;

/**
 * A pooled connection whose 'error' event is listened to from the moment the pool hands it over.
 * A connection lost mid-transaction fails the pending query; its 'error' event must not crash the
 * process (the pool only listens on idle clients). Listening after `await pool.connect()` is too
 * late: the pool can hand a connection to a waiting transaction while it is still reading a pool
 * query's answer, and a FATAL in the same read (PostgreSQL's fast shutdown sends 57P01 to every
 * backend) was emitted before the transaction resumed — unheard, so Node ended the process
 * (docs/reliability.md, "A fast PostgreSQL restart killed the API process"). The callback runs in
 * the hand-over itself.
 */
function connectListening(pool: pg.Pool): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) =>
    pool.connect((error, client) => {
      if (error || !client) return reject(error ?? new Error('the pool handed over no connection'));
      client.on('error', ignoreError);
      resolve(client);
    }),
  );
}

export interface PgDbOptions {
  /** Connections for the process's work (default 10). */
  max?: number;
  /**
   * Connections on top of `max` that only call-path work (Twilio's webhooks, onCallPath) may take
   * (default 3; connection-gate.ts): a call's webhook finds one however busy the rest is.
   */
  callReserve?: number;
  /**
   * DB_TX_GUARD: refuse a root-handle query or a second transaction from inside a transaction's
   * async context (tx-guard.ts). On PostgreSQL the pattern works but waits for a second connection
   * and escapes the transaction; the suite runs with it so a path that would hang PGlite fails here too.
   */
  guardRootQueriesInTx?: boolean;
}

export function createPgDb(connectionString: string, options: PgDbOptions = {}): Db {
  // Connections are kept while idle (pg-pool closes them after 10 s by default): after a quiet spell
  // the next burst would otherwise wait for new connections, each a new PostgreSQL backend with cold
  // caches and every prepared statement to parse again — measured at 200 ms p50 for the first second
  // of load after 12 s idle (BENCHMARKS.md). TCP keepalive keeps an idle connection alive through
  // NAT and firewalls; an idle one that dies anyway is dropped by the pool ('error' below) and
  // replaced on demand. allowExitOnIdle: an idle connection alone never keeps a process running.
  const reserved = options.callReserve ?? 3;
  const max = (options.max ?? 10) + reserved;
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 3000, idleTimeoutMillis: 0, keepAlive: true, allowExitOnIdle: true });
  // The pool is never asked for more than `max` connections: waiting happens at the gate, calls first.
  const gate = new ConnectionGate({ max, reserved, waitMs: 3000 });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const guard = options.guardRootQueriesInTx ? new TxGuard() : undefined;
  const pending = new PendingStatements();
  const queryable = wrap(pool, pending, guard ? (sql) => guard.assertOutside(() => describeQuery(sql)) : undefined, gate);
  return {
    kind: 'postgres',
    query: queryable.query,
    async tx(work) {
      const opened = guard?.open();
      // Waiting for a connection counts as pending: a pool that never frees one is stuck too.
      const release = await pending.around(() => gate.acquire());
      try {
        return await runTx(opened, work);
      } finally {
        release();
      }
    },
    async ping() {
      guard?.assertOutside(() => 'The readiness probe');
      await gate.around(() => pool.query('SELECT 1'));
    },
    pendingForMs: () => pending.oldestMs(),
    async close() {
      await pool.end();
    },
  };

  async function runTx<T>(opened: OpenTransaction | undefined, work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await pending.around(() => connectListening(pool));
    let broken: Error | undefined;
    try {
      await pending.around(() => client.query('BEGIN'));
      const result = opened
        ? await guard!.run(opened, () => work(wrap(client, pending, noteStatement(opened))))
        : await work(wrap(client, pending));
      await pending.around(() => client.query('COMMIT'));
      return result;
    } catch (error) {
      // A connection that cannot even roll back is destroyed rather than returned to the pool,
      // and so is one to a server that refuses writes (25006: a primary demoted by a failover;
      // a new connection goes through the proxy to the new primary).
      broken = await client.query('ROLLBACK').then(() => undefined, (rollbackError: Error) => rollbackError);
      if ((error as { code?: string }).code === '25006') broken ??= error as Error;
      throw error;
    } finally {
      client.off('error', ignoreError);
      client.release(broken);
    }
  }
}
