// Express app. The declared routes come first, each request served by one function: request id,
// access log, security headers, body, authentication, validation, handler, answer (no middleware
// stack to walk: BENCHMARKS.md measured express's router and body-parser at a tenth of a decision's
// CPU). Everything else (static pages, webhooks, dashboards, 404) goes through express's middleware
// with the same request id, access log and headers. problem+json for everything that goes wrong.
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type NextFunction } from 'express';
import helmet from 'helmet';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { ProblemError } from '../errors/problem.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { BankRequestVerifier } from '../auth/verify-bank-request.ts';
import type { AdminAuthenticator } from '../auth/admin-auth.ts';
import type { ConsoleAuthenticator } from '../console/console-auth.ts';
import { clientAddressKey, type AuthFailureThrottle } from '../auth/auth-failure-throttle.ts';
import type { RouteDefinition, BankPrincipal, AdminPrincipal } from './route.ts';
import { problemHandler, sendProblem, validationProblem } from './problem-handler.ts';
import { accessLog } from './access-log.ts';
import { compileRouteTable, type RouteMatch } from './route-table.ts';
import { recordStaticHeaders } from './static-headers.ts';
import { readBody } from './body-reader.ts';

export interface AppDeps {
  routes: RouteDefinition[];
  logger: Logger;
  metrics: Metrics;
  publicBaseUrl: string;
  bodyLimit: string;
  /** express 'trust proxy' (TRUST_PROXY): which proxies may name the client address. */
  trustProxy?: false | number | string;
  bankVerifier: BankRequestVerifier;
  adminAuth: AdminAuthenticator;
  keyRateLimiter: RateLimiterAbstract;
  /** Counts failed bank and admin authentications per client address; refuses addresses over the limit. */
  authFailures: AuthFailureThrottle;
  /** Console sessions (cookie + CSRF header) as an alternative to the admin Bearer token. */
  consoleAuth?: ConsoleAuthenticator;
  /** Extra routers mounted before the declared routes (static pages, Twilio webhooks, dashboards). */
  mounts?: { path: string; handler: express.RequestHandler }[];
}

interface StepupLocals {
  requestId: string;
  /** The declared route serving the request (its metrics label). */
  routePath?: string;
}

const locals = (res: Response) => res.locals as StepupLocals;

/**
 * A route's JSON answer, written as it is: express's res.send would also hash every body for an ETag
 * (a SHA-1 per answer, POSTs included) that no API client uses; a route that versions what it
 * returns sets its own ETag header (the policy).
 */
const sendJson = (res: Response, text: string) => {
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
};

const noop = () => undefined;
/** /v1 and /admin (and below): what express's `app.use(['/v1', '/admin'], …)` matches. */
const apiPath = /^\/(?:v1|admin)(?:\/|$)/i;

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('query parser', 'simple');

  const securityHeaders = recordStaticHeaders(helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'connect-src': ["'self'"] } } }));
  const observeAnswer = accessLog(app, deps.logger, (res) => locals(res).requestId, (req, res, seconds) => {
    const route = locals(res).routePath ?? (req.route?.path as string | undefined) ?? 'unmatched';
    deps.metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
  });
  const answerProblem = problemHandler(deps.logger);

  /** What every answer carries: the request id, the access log line and metrics, the security headers. */
  const beginAnswer = (req: Request, res: Response) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    locals(res).requestId = requestId;
    res.setHeader('x-request-id', requestId);
    observeAnswer(req, res, noop);
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    // The bank and admin APIs answer with tenant data and, at times, secrets (API key and webhook secrets,
    // admin tokens, otpauth URIs): no cache may keep any of it, errors included.
    if (apiPath.test(req.path)) res.setHeader('cache-control', 'no-store');
  };

  const findRoute = compileRouteTable(deps.routes);
  const serveRoute = routeServer(deps);
  app.use((req, res, next) => {
    let found: RouteMatch | undefined;
    let failure: unknown;
    try {
      found = findRoute(req.method, req.path);
    } catch (error) {
      // A path parameter with a malformed % escape: a route's path, the client's error.
      failure = error;
    }
    if (!found && failure === undefined) return next();
    beginAnswer(req, res);
    if (found) {
      locals(res).routePath = found.route.path;
      serveRoute(req, res, found).catch((error: unknown) => answerProblem(error, req, res, noop));
    } else {
      answerProblem(failure, req, res, noop);
    }
  });

  app.use((req, res, next) => {
    beginAnswer(req, res);
    next();
  });
  for (const mount of deps.mounts ?? []) app.use(mount.path, mount.handler);
  app.use((req, res) => {
    sendProblem(res, new ProblemError('not_found', `No route for ${req.method} ${req.path}`), `urn:request:${locals(res).requestId}`);
  });
  app.use(answerProblem);
  return app;
}

/** An address over the failed-authentication limit (`retryAfter` set) is refused with 429. */
const throwIfThrottled = (res: Response, retryAfter: number | undefined) => {
  if (retryAfter === undefined) return;
  res.setHeader('retry-after', String(retryAfter));
  throw new ProblemError('rate_limited', `Too many failed authentications from this address; retry in ${retryAfter} s`);
};

/**
 * One declared route's request, start to answer: the body (bytes, for the signature), its media
 * type, who calls (a bank's signature or an admin's token or console session), the body, path and
 * query against the route's schemas, the handler, the answer.
 */
function routeServer(deps: AppDeps) {
  const jsonMediaType = /^application\/(.+\+)?json\b/i;

  /** Admin requests: the throttle is read before the token is looked at. */
  const authenticateAdmin = async (req: Request, res: Response, role: AdminPrincipal['role']): Promise<AdminPrincipal> => {
    const address = clientAddressKey(req.ip);
    throwIfThrottled(res, await deps.authFailures.retryAfterSeconds(address));
    try {
      // A console session stands in for the token only when no Authorization header is sent.
      const bySession = deps.consoleAuth && req.headers.authorization === undefined && deps.consoleAuth.carriesSession(req);
      return bySession ? await deps.consoleAuth!.authenticate(req, role) : await deps.adminAuth.authenticate(req.headers.authorization, role);
    } catch (error) {
      // A valid token without the role (403) is not a failed authentication.
      if (error instanceof ProblemError && error.code === 'unauthorized') await deps.authFailures.recordFailure(address);
      throw error;
    }
  };

  const authenticateBank = async (req: Request, res: Response, rawBody: Buffer | undefined): Promise<BankPrincipal> => {
    // The failed-authentication throttle is read before anything that could reach the
    // database (a key id this process has not cached) or count a failure; otherwise in the same
    // pipelined Redis round trip as the nonce claim and the key's rate limit. The cheap part of
    // verification (header parsing, digest, HMAC) runs before it, the key lookup never does.
    const address = clientAddressKey(req.ip);
    let throttleRead = false;
    const refuseIfThrottled = async () => {
      throttleRead = true;
      throwIfThrottled(res, await deps.authFailures.retryAfterSeconds(address));
    };
    const verdict = await deps.bankVerifier.verifySignature(
      { method: req.method, targetUri: deps.publicBaseUrl + req.originalUrl, headers: req.headers, rawBody },
      { beforeKeyLookup: refuseIfThrottled },
    );
    const reject = async (reason: string) => {
      req.log.info({ reason }, 'bank request rejected');
      await deps.authFailures.recordFailure(address);
      return new ProblemError('unauthorized', 'The request signature could not be verified');
    };
    if (!verdict.ok) {
      if (!throttleRead) await refuseIfThrottled();
      throw await reject(verdict.reason);
    }
    // Nonce claim, the key's rate limit and (if not read yet) the throttle: one pipelined round
    // trip. A replayed request still counts against the key's limit.
    const [fresh, limit, retryAfter] = await Promise.all([
      deps.bankVerifier.claimNonce(verdict.keyId, verdict.nonce),
      deps.keyRateLimiter.consume(verdict.keyId).then(
        () => undefined,
        (rejection: unknown) => rejection,
      ),
      throttleRead ? undefined : deps.authFailures.retryAfterSeconds(address),
    ]);
    throwIfThrottled(res, retryAfter);
    if (!fresh) throw await reject('nonce replayed');
    if (limit instanceof Error) throw limit;
    if (limit !== undefined) {
      const retryAfter = Math.ceil(((limit as { msBeforeNext?: number }).msBeforeNext ?? 1000) / 1000);
      res.setHeader('retry-after', String(retryAfter));
      throw new ProblemError('rate_limited', `Rate limit for this key exceeded; retry in ${retryAfter} s`);
    }
    return { tenantId: verdict.tenantId, keyId: verdict.keyId };
  };

  return async (req: Request, res: Response, { route, params: pathParams }: RouteMatch): Promise<void> => {
    const raw = route.method === 'get' || route.method === 'delete' ? undefined : await readBody(req, deps.bodyLimit);
    if (raw && !jsonMediaType.test(req.headers['content-type'] ?? '')) throw new ProblemError('unsupported_media_type');
    const bank = route.auth.kind === 'bank' ? await authenticateBank(req, res, raw) : undefined;
    const admin = route.auth.kind === 'admin' ? await authenticateAdmin(req, res, route.auth.role) : undefined;

    let body: unknown = undefined;
    // A body schema that accepts undefined (z.optional) makes the body optional.
    if (route.body && !raw && route.body.safeParse(undefined).success) {
      body = undefined;
    } else if (route.body) {
      if (!raw) throw new ProblemError('validation_failed', 'A JSON body is required');
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new ProblemError('malformed_json');
      }
      const parsed = route.body.safeParse(body);
      if (!parsed.success) throw validationProblem(parsed.error, 'body');
      body = parsed.data;
    } else if (raw && raw.toString('utf8').trim() !== '' && raw.toString('utf8').trim() !== '{}') {
      throw new ProblemError('validation_failed', 'This endpoint takes no body');
    }
    const params = route.params ? route.params.safeParse(pathParams) : { success: true as const, data: pathParams };
    if (!params.success) throw new ProblemError('not_found', 'No such resource');
    const query = route.query ? route.query.safeParse(req.query) : { success: true as const, data: {} };
    if (!query.success) throw validationProblem(query.error, 'query');
    const output = await route.handler({
      body,
      query: query.data,
      params: params.data,
      headers: req.headers,
      bank,
      admin,
      requestId: locals(res).requestId,
    });
    if (output.headers) for (const name in output.headers) res.setHeader(name, output.headers[name]!);
    res.status(output.status);
    if (output.body === undefined) res.end();
    else if (output.contentType && typeof output.body === 'string') res.type(output.contentType).send(output.body);
    else if (output.contentType) res.type(output.contentType).send(JSON.stringify(output.body));
    else sendJson(res, JSON.stringify(output.body));
  };
}
