import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { ProblemError } from '../errors/problem.ts';
import { isRedisUnavailable } from '../redis/redis-connections.ts';
import type { Logger } from '../observability/logger.ts';
import { sendText } from './answer-text.ts';
import { withoutPageToken } from './access-log.ts';
import { isAbortedBody } from './body-reader.ts';

export function sendProblem(res: ServerResponse, problem: ProblemError, instance?: string): void {
  res.statusCode = problem.status;
  sendText(res, 'application/problem+json', JSON.stringify(problem.toBody(instance)));
}

export function validationProblem(error: z.ZodError, where: string): ProblemError {
  const errors = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  return new ProblemError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '08006' ||
    code === '08001' ||
    // too_many_connections: every slot taken for now.
    code === '53300' ||
    // read_only_sql_transaction: a primary demoted by a failover, still behind the proxy's old connection.
    code === '25006' ||
    // "Cannot use a pool after calling end": a request outlived SIGTERM's grace period and the pool is
    // closed — this instance is going away; the caller retries elsewhere.
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error|Cannot use a pool after calling end/.test(error.message)
  );
}

/** What went wrong, as the problem the client gets (internals only in the log). */
export function problemAnswerer(logger: Logger): (error: unknown, req: IncomingMessage, res: ServerResponse) => void {
  return (error, req, res) => {
    const instance = `urn:request:${String(res.getHeader('x-request-id') ?? '')}`;
    // A body the client stopped sending: cheap to cause by the thousand, so logged at debug (docs/security.md, L4).
    if (isAbortedBody(error)) {
      logger.debug({ reqId: res.getHeader('x-request-id'), method: req.method, path: withoutPageToken(req.url?.split('?')[0] ?? '') }, 'request body aborted');
      if (!res.headersSent && !res.destroyed) sendProblem(res, new ProblemError('request_aborted'), instance);
      else res.destroy();
      return;
    }
    if (res.headersSent) {
      // Too late for a problem: the answer has begun. End it, so the client is not left waiting.
      logger.error({ err: error }, 'error after the answer began');
      res.destroy();
      return;
    }
    if (error instanceof ProblemError) return sendProblem(res, error, instance);
    if (error instanceof z.ZodError) return sendProblem(res, validationProblem(error, ''), instance);
    const typed = error as { type?: string; status?: number };
    // body-parser: too many bytes, or (form bodies such as Twilio's webhooks) too many parameters.
    if (typed.type === 'entity.too.large' || typed.type === 'parameters.too.many') return sendProblem(res, new ProblemError('payload_too_large'), instance);
    // Path parameters are decoded with decodeURIComponent: a malformed % escape is the client's.
    if (error instanceof URIError) return sendProblem(res, new ProblemError('malformed_url', 'A path segment has a malformed % escape'), instance);
    const path = withoutPageToken(req.url?.split('?')[0] ?? '');
    if (isRedisUnavailable(error) || isDatabaseUnavailable(error)) {
      logger.warn({ err: error, path }, 'dependency unavailable');
      res.setHeader('retry-after', '5');
      return sendProblem(res, new ProblemError('service_unavailable'), instance);
    }
    logger.error({ err: error, path }, 'unhandled error');
    return sendProblem(res, new ProblemError('internal_error', 'An unexpected error occurred; quote the instance id to support'), instance);
  };
}

/** problemAnswerer as express's error handler (the mounted routers' errors). */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  const answer = problemAnswerer(logger);
  return (error: unknown, req, res, _next) => answer(error, req, res);
}
