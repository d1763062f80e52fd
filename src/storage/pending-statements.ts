// How long the oldest statement still waiting for the database has waited, for /readyz: a database
// that accepts connections but never answers (a lock held forever, a session waiting on itself) is
// stuck, not ready (docs/reliability.md). Real elapsed time, not the injectable clock: this measures
// waiting, and a test that jumps its clock forward has not made anything wait.
import { performance } from 'node:perf_hooks';

export class PendingStatements {
  /** Start times by token; a Map keeps insertion order, so the first entry is the oldest pending. */
  private readonly started = new Map<number, number>();
  private nextToken = 0;

  begin(): number {
    const token = this.nextToken++;
    this.started.set(token, performance.now());
    return token;
  }

  end(token: number): void {
    this.started.delete(token);
  }

  /** Runs `statement`, counted as pending until it settles. */
  async around<T>(statement: () => Promise<T>): Promise<T> {
    const token = this.begin();
    try {
      return await statement();
    } finally {
      this.end(token);
    }
  }

  /** Milliseconds the oldest pending statement has waited; 0 when none is pending. */
  oldestMs(): number {
    for (const startedAt of this.started.values()) return performance.now() - startedAt;
    return 0;
  }
}
