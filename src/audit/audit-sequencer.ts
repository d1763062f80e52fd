// Runs sequenceAudit() continuously in a worker process: entries written to the inbox are chained
// within about `intervalMs`. Every worker process may run one; the audit_head lock orders them.
import type { Db } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import { flushAudit, sequenceAudit } from './audit-log.ts';

export class AuditSequencer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options: { intervalMs?: number; batchSize?: number } = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.options.intervalMs ?? 100);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const batchSize = this.options.batchSize ?? 2000;
    try {
      // A full batch means more are waiting: keep going without sleeping.
      while (!this.stopped && (await sequenceAudit(this.db, batchSize)) === batchSize);
    } catch (error) {
      // Storage away: the entries wait in the inbox, and the next tick picks them up.
      this.logger.warn({ err: error }, 'audit sequencing deferred');
    }
  }

  /** Stops the loop and chains what is left, so a clean shutdown leaves the inbox empty. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await flushAudit(this.db, this.options.batchSize).catch((error: unknown) => this.logger.warn({ err: error }, 'audit flush at shutdown failed'));
  }
}
