// Makes the embedded-database hang loud (docs/reliability.md "Time as a tested dimension"). PGlite is
// one session: a query on the root handle issued while a transaction holds it waits until that
// transaction ends — and when the transaction is waiting for the query, nothing ever ends (the
// receipt key refresh did exactly this). The guard remembers, per async context, the transaction it
// runs in; a root query or a second transaction from inside it throws at once, naming both.
// PGlite always runs with it; the PostgreSQL adapter with DB_TX_GUARD (the test suite sets it), where
// the same pattern waits for a second pool connection and escapes the transaction's atomicity.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface OpenTransaction {
  /** False once the transaction's work has returned: later work begun inside it may use the root handle. */
  open: boolean;
  /** The transaction's first statement, to name it by. */
  firstStatement: string | undefined;
  /** Where the transaction was opened (its stack is formatted only when an error needs it). */
  readonly openedAt: Error;
}

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 200);

export class RootQueryInTransactionError extends Error {
  constructor(statement: string, transaction: OpenTransaction) {
    const opened = (transaction.openedAt.stack ?? '').split('\n').slice(1).join('\n');
    super(
      `${statement} was issued on the root database handle from inside a transaction of the same database; ` +
        'on the embedded database (one session) it would wait for that transaction forever. Use the transaction\'s handle ' +
        '(or run the work after the transaction has ended).\n' +
        `  transaction: first statement ${transaction.firstStatement ? `"${oneLine(transaction.firstStatement)}"` : '(none yet)'}, opened at\n${opened}`,
    );
    this.name = 'RootQueryInTransactionError';
  }
}

export class TxGuard {
  private readonly context = new AsyncLocalStorage<OpenTransaction>();

  /** Throws when the caller runs inside one of this database's open transactions. */
  assertOutside(what: () => string): void {
    const transaction = this.context.getStore();
    if (transaction?.open) throw new RootQueryInTransactionError(what(), transaction);
  }

  /** A new transaction, refused when opened from inside another one. */
  open(): OpenTransaction {
    this.assertOutside(() => 'A new transaction');
    return { open: true, firstStatement: undefined, openedAt: new Error('transaction opened') };
  }

  /** Runs a transaction's work as that transaction's async context. */
  async run<T>(transaction: OpenTransaction, work: () => Promise<T>): Promise<T> {
    try {
      return await this.context.run(transaction, work);
    } finally {
      transaction.open = false;
    }
  }
}

/** Remembers a transaction's first statement (the guard names the transaction by it). */
export const noteStatement = (transaction: OpenTransaction) => (sql: string) => {
  transaction.firstStatement ??= sql;
};

/** `The query "SELECT …"`, for the guard's message. */
export const describeQuery = (sql: string) => `The query "${oneLine(sql)}"`;
