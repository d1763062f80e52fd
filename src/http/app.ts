// The HTTP front. Declared routes are served straight from node's request, one function per request:
// request id, access log, security headers, body, authentication, validation, handler, answer. Express
// (its request and response objects, its router and middleware) cost a decision about 40 µs of CPU
// when it carried them (BENCHMARKS.md); it now serves only what is mounted by hand (static pages,
// Twilio webhooks, dashboards, the console) and what no route answers (405 with Allow, OPTIONS, 404),
// with the same request id, access log and headers. problem+json for everything that goes wrong. Both
// answer alike (docs/architecture.md, "One HTTP behaviour"; app.test.ts sends both the same requests).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseQuery } from 'node:querystring';
import express from 'express';
import helmet from 'helmet';
import proxyAddr from 'proxy-addr';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { ProblemError } from '../errors/problem.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { BankRequestVerifier } from '../auth/verify-bank-request.ts';
import { adminRoles, type AdminAuthenticator } from '../auth/admin-auth.ts';
import type { ConsoleAuthenticator } from '../console/console-auth.ts';
import { clientAddressKey, type AuthFailureThrottle } from '../auth/auth-failure-throttle.ts';
import type { KeyUsage } from '../auth/key-usage.ts';
import type { AdminTokenNetworks } from '../security/admin-token-networks.ts';
import type { BankPrincipal, AdminPrincipal, HandlerOutput, RouteDefinition } from './route.ts';
import { problemAnswerer, problemHandler, sendProblem, validationProblem } from './problem-handler.ts';
import { accessLog, markShed, requestLogger } from './access-log.ts';
import { compileRouteTable, type RouteMatch } from './route-table.ts';
import { recordStaticHeaders } from './static-headers.ts';
import { readBody } from './body-reader.ts';
import { mountedMethods } from './mounted-methods.ts';
import { sendText } from './answer-text.ts';
import type { EventLoopLag } from './event-loop-lag.ts';

export interface AppDeps {
  routes: RouteDefinition[];
  logger: Logger;
  metrics: Metrics;
  publicBaseUrl: string;
  bodyLimit: string;
  /**
   * Bank API requests served at once (MAX_BANK_REQUESTS_IN_FLIGHT; 0: no bound). One more is answered
   * 503 with Retry-After before any work, so an overloaded process keeps its time for the requests it
   * has and for Twilio's webhooks, which are not counted (docs/reliability.md).
   */
  maxBankRequestsInFlight?: number;
  /**
   * The event loop's lag (MAX_EVENT_LOOP_LAG_MS): while it reports the process overloaded, bank
   * requests are answered 503 with Retry-After before any work too, so a process starved of CPU
   * answers Twilio's webhooks and health checks in time (docs/reliability.md).
   */
  loopLag?: Pick<EventLoopLag, 'overloaded'>;
  /** express 'trust proxy' (TRUST_PROXY): which proxies may name the client address. */
  trustProxy?: false | number | string;
  bankVerifier: BankRequestVerifier;
  adminAuth: AdminAuthenticator;
  keyRateLimiter: RateLimiterAbstract;
  /** Counts failed bank and admin authentications per client address; refuses addresses over the limit. */
  authFailures: AuthFailureThrottle;
  /** What each verified bank request teaches about its key (networks, last use), and refused uses. */
  keyUsage?: KeyUsage;
  /** Signals an admin token's (or console session's) first use from a new network. */
  adminNetworks?: AdminTokenNetworks;
  /** Console sessions (cookie + CSRF header) as an alternative to the admin Bearer token. */
  consoleAuth?: ConsoleAuthenticator;
  /** Routers mounted by hand (static pages, Twilio webhooks, dashboards); a declared route wins over them. */
  mounts?: { path: string; handler: express.RequestHandler }[];
}

export interface HttpApp {
  /** Node's request listener: the declared routes, then express. */
  listener: RequestListener;
  /** The express app behind it: the mounts, then 405, OPTIONS and 404 for what no mount answered. */
  express: express.Express;
  /** The server's 'clientError' listener: a body cut short by the client is answered 400 request_aborted. */
  onClientError: (error: Error & { code?: string }, socket: Duplex) => void;
}

/** One request on a declared route, as the steps after matching need it. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** The URL's query string (without '?'), or undefined. */
  queryString: string | undefined;
}

/** /v1 and /admin (and below): the bank and admin APIs. */
const apiPath = /^\/(?:v1|admin)(?:\/|$)/i;
const jsonMediaType = /^application\/(.+\+)?json\b/i;

export function createApp(deps: AppDeps): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('query parser', 'simple');
  const trustedProxy = app.get('trust proxy fn') as (address: string, hop: number) => boolean;

  const securityHeaders = recordStaticHeaders(helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'connect-src': ["'self'"] } } }));
  const observeAnswer = accessLog(app, deps.logger, (method, route, status, seconds) => {
    deps.metrics.httpDuration.observe({ method, route, status: String(status) }, seconds);
  });
  const answerProblem = problemAnswerer(deps.logger);

  /** What every answer carries: the request id, the access log line and metrics, the security headers. */
  const beginAnswer = (req: IncomingMessage, res: ServerResponse, path: string, route?: string): string => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    observeAnswer(req, res, path, requestId, route);
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    // The bank and admin APIs answer with tenant data and, at times, secrets (API key and webhook secrets,
    // admin tokens, otpauth URIs): no cache may keep any of it, errors included.
    if (apiPath.test(path)) res.setHeader('cache-control', 'no-store');
    return requestId;
  };

  const routeTable = compileRouteTable(deps.routes);
  app.use((req, res, next) => {
    beginAnswer(req, res, req.path);
    if (req.method === 'OPTIONS') answerOptionsWithoutBody(res);
    next();
  });
  for (const mount of deps.mounts ?? []) app.use(mount.path, mount.handler);
  // What no mount answered: a known path with another method (405, or OPTIONS), else 404. Here and
  // not on the fast path, so a mount still gets a method the declared routes of its path lack.
  app.use((req, res) => {
    const instance = `urn:request:${String(res.getHeader('x-request-id'))}`;
    const allowed = [...mountedMethods(app.router.stack, req.path, new Set(routeTable.allowedMethods(req.path)))].sort();
    if (allowed.length === 0) return sendProblem(res, new ProblemError('not_found', `No route for ${req.method} ${req.path}`), instance);
    res.setHeader('allow', allowed.join(', '));
    if (req.method !== 'OPTIONS') return sendProblem(res, new ProblemError('method_not_allowed', `${req.path} takes ${allowed.join(', ')}`), instance);
    res.statusCode = 204;
    res.end();
  });
  app.use(problemHandler(deps.logger));

  const serveRoute = routeServer(deps, (req) => proxyAddr(req, trustedProxy));
  /** The request each connection is being answered for, for a parse error in its body (onClientError). */
  const answering = new WeakMap<Duplex, ServerResponse>();
  const listener: RequestListener = (req, res) => {
    answering.set(req.socket, res);
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    let found: RouteMatch | undefined;
    let failure: unknown;
    try {
      found = routeTable.find(req.method ?? 'GET', path);
    } catch (error) {
      // A path parameter with a malformed % escape: a route's path, the client's error.
      failure = error;
    }
    if (!found && failure === undefined) return app(req, res);
    const requestId = beginAnswer(req, res, path, found?.route.path);
    if (!found) return answerProblem(failure, req, res);
    const exchange: Exchange = { req, res, requestId, queryString: mark === -1 ? undefined : url.slice(mark + 1) };
    serveRoute(exchange, found).catch((error: unknown) => answerProblem(error, req, res));
  };
  const onClientError = (error: Error & { code?: string }, socket: Duplex) => {
    const res = answering.get(socket);
    // The connection ended inside a request's body (short of its Content-Length, or of its last chunk)
    // while the body was being read: that request's own answer, with its headers, is 400
    // request_aborted, logged at debug (problemAnswerer); node closes the connection once it is written.
    // A handler that does not read the body is still at work and will answer: node's answer then.
    const readingBody = res !== undefined && res.req.listenerCount('data') > 0;
    if (error.code === 'HPE_INVALID_EOF_STATE' && readingBody && !res.headersSent && !res.writableEnded && socket.writable) {
      res.setHeader('connection', 'close');
      answerProblem(new ProblemError('request_aborted'), res.req, res);
      return;
    }
    // Anything else: node's own answer when it has none of its own (its default 'clientError' behaviour).
    if (socket.writable && !(res && res.headersSent && !res.writableEnded)) socket.write(`HTTP/1.1 ${nodeClientErrorStatus[error.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
    socket.destroy(error);
  };
  return { listener, express: app, onClientError };
}

/** The answers node gives to a request it cannot parse or that took too long (its default 'clientError'). */
const nodeClientErrorStatus: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * OPTIONS answered by express's router (a mount's path: it lists the methods in Allow) is a 204 without
 * a body, as on a declared path: the router would send 200 with the list as text too.
 */
function answerOptionsWithoutBody(res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (statusCode === 200 && this.hasHeader('allow')) {
      statusCode = 204;
      this.removeHeader('content-length');
      this.removeHeader('content-type');
    }
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, statusCode, ...rest);
  } as ServerResponse['writeHead'];
}

/** An address over the failed-authentication limit (`retryAfter` set) is refused with 429. */
const throwIfThrottled = (res: ServerResponse, retryAfter: number | undefined) => {
  if (retryAfter === undefined) return;
  res.setHeader('retry-after', String(retryAfter));
  throw new ProblemError('rate_limited', `Too many failed authentications from this address; retry in ${retryAfter} s`);
};

/**
 * One declared route's request, start to answer: the body (bytes, for the signature), its media
 * type, who calls (a bank's signature or an admin's token or console session), the body, path and
 * query against the route's schemas, the handler, the answer. `addressOf` is the client's address
 * key (the failed-authentication throttle's), TRUST_PROXY applied.
 */
function routeServer(deps: AppDeps, clientAddressOf: (req: IncomingMessage) => string | undefined) {
  const addressOf = (req: IncomingMessage) => clientAddressKey(clientAddressOf(req));
  /** Admin requests: the throttle is read before the token is looked at. */
  const authenticateAdmin = async ({ req, res }: Exchange, role: AdminPrincipal['role']): Promise<AdminPrincipal> => {
    const address = addressOf(req);
    throwIfThrottled(res, await deps.authFailures.retryAfterSeconds(address));
    try {
      // A console session stands in for the token only when no Authorization header is sent.
      const bySession = deps.consoleAuth !== undefined && req.headers.authorization === undefined && deps.consoleAuth.carriesSession(req);
      const clientAddress = clientAddressOf(req);
      // Who calls first (viewer is every role), so a request refused for its role still counts as a use.
      const principal = bySession ? await deps.consoleAuth!.authenticate(req, 'viewer', clientAddress) : await deps.adminAuth.authenticate(req.headers.authorization, 'viewer');
      await deps.adminNetworks?.observe(principal, clientAddress, bySession ? 'console' : 'api');
      if (adminRoles.indexOf(principal.role) < adminRoles.indexOf(role)) throw new ProblemError('forbidden', `This needs the ${role} role`);
      return principal;
    } catch (error) {
      // A valid token without the role (403) is not a failed authentication.
      if (error instanceof ProblemError && error.code === 'unauthorized') await deps.authFailures.recordFailure(address);
      throw error;
    }
  };

  const authenticateBank = async ({ req, res, requestId }: Exchange, rawBody: Buffer | undefined): Promise<BankPrincipal> => {
    // The failed-authentication throttle is read before anything that could reach the
    // database (a key id this process has not cached) or count a failure; otherwise in the same
    // pipelined Redis round trip as the nonce claim and the key's rate limit. The cheap part of
    // verification (header parsing, digest, HMAC) runs before it, the key lookup never does.
    const clientAddress = clientAddressOf(req);
    const address = clientAddressKey(clientAddress);
    let throttleRead = false;
    const refuseIfThrottled = async () => {
      throttleRead = true;
      throwIfThrottled(res, await deps.authFailures.retryAfterSeconds(address));
    };
    const verdict = await deps.bankVerifier.verifySignature(
      { method: req.method!, targetUri: deps.publicBaseUrl + req.url, headers: req.headers, rawBody, clientAddress },
      { beforeKeyLookup: refuseIfThrottled },
    );
    const reject = async (reason: string) => {
      requestLogger(deps.logger, requestId).info({ reason }, 'bank request rejected');
      await deps.authFailures.recordFailure(address);
      return new ProblemError('unauthorized', 'The request signature could not be verified');
    };
    if (!verdict.ok) {
      if (!throttleRead) await refuseIfThrottled();
      if (verdict.refused) await deps.keyUsage?.refused(verdict.refused, clientAddress);
      throw await reject(verdict.reason);
    }
    // Nonce claim, the key's rate limit, its usage (networks, last use) and (if not read yet) the
    // throttle: one pipelined round trip. A replayed request still counts against the key's limit.
    const [fresh, limit, retryAfter] = await Promise.all([
      deps.bankVerifier.claimNonce(verdict.keyId, verdict.nonce),
      deps.keyRateLimiter.consume(verdict.keyId).then(
        () => undefined,
        (rejection: unknown) => rejection,
      ),
      throttleRead ? undefined : deps.authFailures.retryAfterSeconds(address),
      deps.keyUsage?.observe(verdict, clientAddress),
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

  const answer = (res: ServerResponse, output: HandlerOutput) => {
    if (output.headers) for (const name in output.headers) res.setHeader(name, output.headers[name]!);
    res.statusCode = output.status;
    if (output.body === undefined) res.end();
    else if (output.contentType) sendText(res, output.contentType, typeof output.body === 'string' ? output.body : JSON.stringify(output.body));
    else sendText(res, 'application/json', JSON.stringify(output.body));
  };

  const bankLimit = deps.maxBankRequestsInFlight ?? 0;
  let bankInFlight = 0;
  /** Why a bank request is shed now, if it is: the bound on requests in flight, or the loop running late. */
  const shedReason = (): 'in_flight' | 'event_loop_lag' | undefined => {
    if (bankLimit > 0 && bankInFlight >= bankLimit) return 'in_flight';
    if (deps.loopLag?.overloaded()) return 'event_loop_lag';
    return undefined;
  };

  /**
   * Bank requests are refused at once (503, Retry-After), before any work, beyond
   * MAX_BANK_REQUESTS_IN_FLIGHT or while the event loop runs later than MAX_EVENT_LOOP_LAG_MS.
   */
  const admit = async (exchange: Exchange, match: RouteMatch): Promise<void> => {
    const { req, res } = exchange;
    const raw = match.route.method === 'get' || match.route.method === 'delete' ? undefined : await readBody(req, deps.bodyLimit);
    if (raw && !jsonMediaType.test(req.headers['content-type'] ?? '')) throw new ProblemError('unsupported_media_type');
    if (match.route.auth.kind !== 'bank') return serve(exchange, match, raw);
    const shed = shedReason();
    if (shed) {
      deps.metrics.bankRequestsShed.inc({ reason: shed });
      markShed(res, shed);
      res.setHeader('retry-after', '1');
      throw new ProblemError('service_unavailable', shed === 'in_flight' ? 'Too many requests in progress on this instance; retry shortly' : 'This instance is overloaded (its event loop runs late); retry shortly');
    }
    bankInFlight += 1;
    try {
      await serve(exchange, match, raw);
    } finally {
      bankInFlight -= 1;
    }
  };

  const serve = async (exchange: Exchange, { route, params: pathParams }: RouteMatch, raw: Buffer | undefined): Promise<void> => {
    const { req, res } = exchange;
    const bank = route.auth.kind === 'bank' ? await authenticateBank(exchange, raw) : undefined;
    const admin = route.auth.kind === 'admin' ? await authenticateAdmin(exchange, route.auth.role) : undefined;
    if (!bank || !deps.keyUsage) return answer(res, await handle(exchange, route, pathParams, raw, bank, admin));
    // The answer to a verified bank request counts for its key (failures, unknown customers).
    let output: HandlerOutput;
    try {
      output = await handle(exchange, route, pathParams, raw, bank, admin);
    } catch (error) {
      deps.keyUsage.answered(bank, clientAddressOf(req), keyAnswerOfProblem(error, pathParams));
      throw error;
    }
    deps.keyUsage.answered(bank, clientAddressOf(req), output);
    answer(res, output);
  };

  /** Body, path and query against the route's schemas, then the handler. */
  const handle = async (exchange: Exchange, route: RouteDefinition, pathParams: Record<string, string>, raw: Buffer | undefined, bank: BankPrincipal | undefined, admin: AdminPrincipal | undefined): Promise<HandlerOutput> => {
    const { req } = exchange;
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
    } else if (raw) {
      const text = raw.toString('utf8').trim();
      if (text !== '' && text !== '{}') throw new ProblemError('validation_failed', 'This endpoint takes no body');
    }
    const params = route.params ? route.params.safeParse(pathParams) : { success: true as const, data: pathParams };
    if (!params.success) throw new ProblemError('not_found', 'No such resource');
    // As express's 'simple' query parser: node's querystring.
    const query = route.query ? route.query.safeParse(parseQuery(exchange.queryString ?? '')) : { success: true as const, data: {} };
    if (!query.success) throw validationProblem(query.error, 'query');
    return route.handler({
      body,
      query: query.data,
      params: params.data,
      headers: req.headers,
      bank,
      admin,
      requestId: exchange.requestId,
    });
  };
  return admit;
}

/**
 * A bank request that ended in a problem, as its key's bookkeeping counts it: a 404 on a route naming
 * a customer is a customer stepup does not know (docs/security.md "Key protections", enumeration).
 */
function keyAnswerOfProblem(error: unknown, pathParams: Record<string, string>): { status: number; unknownCustomer?: string } {
  const status = error instanceof ProblemError ? error.status : 500;
  const customerId = pathParams.customerId;
  return status === 404 && customerId !== undefined ? { status, unknownCustomer: customerId } : { status };
}

