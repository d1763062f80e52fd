// Runs sequenceAudit() continuously in a worker process. While entries come, the inbox is looked at
// every `intervalMs` (100 ms), so they are chained within about that; while none do, each empty look
// doubles the wait, up to `idleIntervalMs` (1 s), and the first entry chained brings `intervalMs` back.
// An idle process so queries its database once a second, not ten times (a query's CPU in every idle
// server; docs/architecture.md "The suite"). Readers of the trail chain what waits before they read
// (flushAudit), so the waits never show in what they read. Every worker process may run one; the
// audit_head lock orders them.
import type { Db } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import { flushAudit, sequenceAudit } from './audit-log.ts';

export interface AuditSequencerOptions {
  /** The wait after a look that chained entries, and the first one (100 ms). */
  intervalMs?: number;
  /** The longest wait: each look that finds nothing doubles the wait, up to this (1,000 ms). */
  idleIntervalMs?: number;
  /** Entries chained per transaction (2,000). */
  batchSize?: number;
  /** Starts the wait before the next look (tests drive it themselves); an unref'd setTimeout by default. */
  setTimer?: (look: () => void, ms: number) => { cancel(): void };
}

const unrefTimer = (look: () => void, ms: number) => {
  const timer = setTimeout(look, ms);
  timer.unref();
  return { cancel: () => clearTimeout(timer) };
};

export class AuditSequencer {
  private timer: { cancel(): void } | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly idleIntervalMs: number;
  private readonly batchSize: number;
  private readonly setTimer: (look: () => void, ms: number) => { cancel(): void };

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    options: AuditSequencerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.idleIntervalMs = Math.max(this.intervalMs, options.idleIntervalMs ?? 1000);
    this.batchSize = options.batchSize ?? 2000;
    this.setTimer = options.setTimer ?? unrefTimer;
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.intervalMs);
  }

  private schedule(waitMs: number): void {
    if (this.stopped) return;
    this.timer = this.setTimer(() => {
      this.running = this.look().then((chained) => {
        this.running = undefined;
        this.schedule(chained > 0 ? this.intervalMs : Math.min(2 * waitMs, this.idleIntervalMs));
      });
    }, waitMs);
  }

  /** Chains what waits in the inbox; how many entries it chained (none when storage is away). */
  private async look(): Promise<number> {
    let chained = 0;
    try {
      // A full batch means more are waiting: keep going without sleeping.
      while (!this.stopped) {
        const batch = await sequenceAudit(this.db, this.batchSize);
        chained += batch;
        if (batch < this.batchSize) break;
      }
    } catch (error) {
      // Storage away: the entries wait in the inbox, and a later look picks them up.
      this.logger.warn({ err: error }, 'audit sequencing deferred');
    }
    return chained;
  }

  /** Stops the loop and chains what is left, so a clean shutdown leaves the inbox empty. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
    await flushAudit(this.db, this.batchSize).catch((error: unknown) => this.logger.warn({ err: error }, 'audit flush at shutdown failed'));
  }
}
