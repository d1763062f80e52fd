// SIGTERM and SIGINT end the process (docs/reliability.md "Graceful shutdown"): `close` drains requests
// and jobs within SHUTDOWN_GRACE_MS; whatever it still waits for after that plus a margin (a database
// that never answers, a job stuck on it) no longer holds the process: it exits with status 1 and says
// so. A second signal while closing changes nothing (the deadline is already set).
import type { Logger } from '../observability/logger.ts';

/** How long past the grace period closing may take before the process exits anyway. */
export const closeMarginMs = 3000;

export function exitOnSignals(options: { close: () => Promise<void>; graceMs: number; logger: Logger }): void {
  const { close, graceMs, logger } = options;
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ graceMs, marginMs: closeMarginMs }, 'shutdown did not finish within the grace period: exiting anyway');
      process.exit(1);
    }, graceMs + closeMarginMs);
    deadline.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
