// The thin storage seam: parameterised SQL, two adapters (pg.Pool, PGlite).

export type SqlValue = string | number | boolean | null | Date | Buffer | Uint8Array | bigint | object;

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<QueryResult<Row>>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction; rolls back when it throws. */
  tx<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>;
  /** How long the oldest statement still waiting for an answer has waited, in ms (0: none). */
  pendingForMs(): number;
  close(): Promise<void>;
}
