// Fault injection at the storage seam: a Db that passes every statement to a real one until told to
// fail, then fails the way a lost PostgreSQL connection does (code 57P01, which the app maps to 503).
// The outage can be armed to begin right after a chosen write became durable — the crash windows
// docs/reliability.md describes — and lasts until heal(). Plug it in with startTestServer({ wrapDb }).
import type { Db, Queryable, QueryResult, SqlValue } from '../../src/storage/db.ts';

export const injectedConnectionLoss = (): Error =>
  Object.assign(new Error('Connection terminated unexpectedly (injected fault)'), { code: '57P01' });

export class FaultyDb implements Db {
  readonly kind: Db['kind'];
  /** Statements that failed because of the injected outage. */
  readonly failed: string[] = [];
  /** The stack at each of those failures (which code met the outage, e.g. a webhook riding it out). */
  readonly failedStacks: string[] = [];
  /** performance.now() when close() was called (the pool ended), if it was. */
  closedAt: number | undefined;
  private down = false;
  private trigger: RegExp | undefined;

  constructor(private readonly inner: Db) {
    this.kind = inner.kind;
  }

  /**
   * The outage begins as soon as a statement matching `statement` has committed: at once for a
   * statement on its own, when its transaction commits for one inside `tx`.
   */
  failAfterCommitOf(statement: RegExp): void {
    this.trigger = statement;
  }

  /** The outage begins now (every statement fails until heal()). */
  goDown(): void {
    this.down = true;
  }

  /** PostgreSQL is back: statements pass again and no outage is armed. */
  heal(): void {
    this.down = false;
    this.trigger = undefined;
  }

  get isDown(): boolean {
    return this.down;
  }

  private check(sql: string): void {
    if (!this.down) return;
    this.failed.push(sql);
    this.failedStacks.push(new Error('outage').stack ?? '');
    throw injectedConnectionLoss();
  }

  private matches(sql: string): boolean {
    return this.trigger !== undefined && this.trigger.test(sql);
  }

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<QueryResult<Row>> {
    this.check(sql);
    const result = await this.inner.query<Row>(sql, params);
    if (this.matches(sql)) this.down = true;
    return result;
  }

  async tx<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    this.check('BEGIN');
    let committing = false;
    const result = await this.inner.tx((tx) =>
      work({
        query: async <Row>(sql: string, params?: readonly SqlValue[]) => {
          this.check(sql);
          const rows = await tx.query<Row>(sql, params);
          if (this.matches(sql)) committing = true;
          return rows;
        },
      }),
    );
    if (committing) this.down = true;
    return result;
  }

  async ping(): Promise<void> {
    this.check('SELECT 1');
    await this.inner.ping();
  }

  pendingForMs(): number {
    return this.inner.pendingForMs();
  }

  async close(): Promise<void> {
    this.closedAt ??= performance.now();
    await this.inner.close();
  }
}
