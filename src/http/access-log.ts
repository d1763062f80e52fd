// The access log: one line per answered request, at a level chosen by its status (5xx error, 4xx
// info, the rest debug), holding the request id, method, path (never the query string, never a
// customer page's token), status and time. Nothing is allocated for a line the level leaves out:
// under load at LOG_LEVEL=info the 2xx answers cost one `finish` listener and no more
// (BENCHMARKS.md measured pino-http's per-request child logger at about 17 KiB a request).
import type express from 'express';
import type { Request, Response } from 'express';
import type { Logger } from '../observability/logger.ts';

declare module 'http' {
  interface IncomingMessage {
    /** A logger bound to this request's id, made on first use. */
    log: Logger;
  }
}

/** Customer pages (/c/<channel>/<page>/<token>): the token opens the page, so it never reaches a log. */
export const withoutPageToken = (path: string) => path.replace(/^(\/c\/[^/]+\/[^/]+\/)[A-Za-z0-9_-]{43}(?=\/|$)/, '$1***');

const levelFor = (status: number) => (status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug');

/**
 * Installs `req.log` (a child logger with the request id, made only when a handler logs) on the
 * app's request prototype, and returns the middleware that writes the access line.
 * `requestId(res)` reads the id the request-id middleware chose.
 */
export function accessLog(
  app: express.Express,
  logger: Logger,
  requestId: (res: Response) => string,
  /** Also called once the answer is sent (the request metrics), from the same listener. */
  onAnswered?: (req: Request, res: Response, seconds: number) => void,
): express.RequestHandler {
  const children = new WeakMap<Request, Logger>();
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      let child = children.get(this);
      if (!child) {
        child = logger.child({ reqId: this.res ? requestId(this.res) : undefined });
        children.set(this, child);
      }
      return child;
    },
  });
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const elapsedMs = performance.now() - started;
      onAnswered?.(req, res, elapsedMs / 1000);
      const level = levelFor(res.statusCode);
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { id: requestId(res), method: req.method, path: withoutPageToken(req.originalUrl.split('?')[0]!) },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(elapsedMs),
        },
        'request completed',
      );
    });
    next();
  };
}
