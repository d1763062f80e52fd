// The access log: one line per answered request, at a level chosen by its status (5xx error, 4xx
// info, the rest debug; a request shed on purpose under load warn, naming why), holding the request
// id, method, path (never the query string, never a customer page's token), status and time.
// Nothing is allocated for a line the level leaves out: under load at LOG_LEVEL=info the 2xx answers
// cost one `finish` listener and no more (BENCHMARKS.md measured pino-http's per-request child logger
// at about 17 KiB a request).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';
import type { Request } from 'express';
import type { Logger } from '../observability/logger.ts';

declare module 'http' {
  interface IncomingMessage {
    /** A logger bound to this request's id, made on first use (requests served through express). */
    log: Logger;
  }
}

/**
 * The path as logged. Customer pages (/c/<channel>/<page>/:token) carry the token that opens the page,
 * so it never reaches a log: on a matched route the segment its `:token` parameter takes is masked,
 * whatever the spelling of the path (routes match without regard to case); a path that matched no
 * route is masked by the pages' shape, in any case, as a fallback.
 */
export function withoutPageToken(path: string, route?: string): string {
  if (route !== undefined && route.includes('/:token')) {
    const templates = route.split('/');
    return path
      .split('/')
      .map((segment, index) => (templates[index] === ':token' ? '***' : segment))
      .join('/');
  }
  return path.replace(/^(\/c\/[^/]+\/[^/]+\/)[A-Za-z0-9_-]{43}(?=\/|$)/i, '$1***');
}

const levelFor = (status: number) => (status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug');

/** Answers refused on purpose to keep an overloaded process serving: why, for their access line. */
const shedAnswers = new WeakMap<ServerResponse, string>();

/**
 * Marks `res` as a request shed on purpose (`reason`: the bound on requests in flight, or the event loop
 * running late). Its 503 is the process working as designed under load, not a fault: its access line is
 * a warning naming the reason, and error-level lines stay for failures (the metric counts the sheds).
 */
export function markShed(res: ServerResponse, reason: string): void {
  shedAnswers.set(res, reason);
}

/** A logger bound to one request's id. */
export const requestLogger = (logger: Logger, requestId: string | undefined) => logger.child({ reqId: requestId });

/**
 * Installs `req.log` on the express app's request prototype (for the mounted routers), and returns
 * what each request calls once its id is chosen: it writes the access line when the answer is sent.
 * `route` labels the metrics; without it, express's matched route (or 'unmatched') is read then.
 */
export function accessLog(
  app: express.Express,
  logger: Logger,
  /** Also called once the answer is sent (the request metrics), from the same listener. */
  onAnswered?: (method: string, route: string, status: number, seconds: number) => void,
): (req: IncomingMessage, res: ServerResponse, path: string, requestId: string, route?: string) => void {
  const children = new WeakMap<Request, Logger>();
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      let child = children.get(this);
      if (!child) {
        child = requestLogger(logger, this.res?.getHeader('x-request-id') as string | undefined);
        children.set(this, child);
      }
      return child;
    },
  });
  return (req, res, path, requestId, route) => {
    const started = performance.now();
    res.once('finish', () => {
      const elapsedMs = performance.now() - started;
      const matched = route ?? ((req as Request).route?.path as string | undefined);
      onAnswered?.(req.method!, matched ?? 'unmatched', res.statusCode, elapsedMs / 1000);
      const shed = shedAnswers.get(res);
      const level = shed === undefined ? levelFor(res.statusCode) : 'warn';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { id: requestId, method: req.method, path: withoutPageToken(path, route) },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(elapsedMs),
          ...(shed === undefined ? {} : { shed }),
        },
        'request completed',
      );
    });
  };
}
