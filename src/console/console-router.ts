// The console at /admin (docs/console.md): its page and assets, the session endpoints (sign in with an
// admin token, read the session, sign out) and the queue dashboard behind the same session. Everything
// the console shows or changes goes through the admin API (/admin/v1/...), authenticated by the session.
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Request, type Response, type NextFunction } from 'express';
import { z } from 'zod';
import type { AppContext } from '../server/build-context.ts';
import { adminRoles } from '../auth/admin-auth.ts';
import { clientAddressKey } from '../auth/auth-failure-throttle.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { ProblemError } from '../errors/problem.ts';
import { validationProblem } from '../http/problem-handler.ts';
import { publicSessionId, type ConsoleSessions } from './console-sessions.ts';
import type { ConsoleAuthenticator } from './console-auth.ts';
import { clearedSessionCookie, readSessionCookie, sessionCookie } from './console-cookie.ts';
import { createQueueDashboard } from './queue-dashboard.ts';
import type { ChannelModule, ConsoleMetadata, ModuleDashboard } from '../channels/channel-module.ts';

const assetsDir = fileURLToPath(new URL('./assets/', import.meta.url));
/** Chart.js (npm `chart.js`), served by stepup itself for the tenant dashboard: its self-contained UMD build. */
const chartScript = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

/** No inline script anywhere in the console; styles and scripts come from stepup only. */
export const consoleCsp =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/** bull-board's page sets inline styles (never inline script): its CSP allows those and nothing else extra. */
const dashboardCsp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

const signInBody = z.strictObject({ token: z.string().min(1).max(200) });

const asyncRoute = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
  fn(req, res).catch(next);
};

export interface ConsoleMount {
  router: express.Router;
  close(): Promise<void>;
}

/**
 * What the pages know of the modules (assets/channels.json): the channels the policy may name, and each
 * module's console metadata — labels in both languages, policy fields, timeline sections — and its
 * dashboard chart's title and figures (docs/console.md). Served before sign-in like the i18n files:
 * labels only, nothing of any tenant.
 */
export interface ConsoleChannels {
  channelNames: string[];
  modules: { name: string; console?: ConsoleMetadata; dashboard?: Pick<ModuleDashboard, 'title' | 'figures'> }[];
}

/** The modules' part of assets/channels.json: those the console shows something of, in the list's order. */
export function consoleChannelsOf(channelNames: string[], modules: readonly ChannelModule[]): ConsoleChannels {
  return {
    channelNames,
    modules: modules
      .filter((module) => module.console || module.dashboard)
      .map((module) => ({
        name: module.name,
        ...(module.console ? { console: module.console } : {}),
        ...(module.dashboard ? { dashboard: { title: module.dashboard.title, figures: module.dashboard.figures } } : {}),
      })),
  };
}

/** `moduleQueueNames`: the channel modules' queues, shown on the queue dashboard beside the server's. */
export function createConsoleRouter(context: AppContext, sessions: ConsoleSessions, consoleAuth: ConsoleAuthenticator, moduleQueueNames: string[], channels: ConsoleChannels): ConsoleMount {
  const { config, authFailures, adminAuth, db } = context;
  const secure = config.publicBaseUrl.startsWith('https:');
  const router = express.Router();
  const dashboard = createQueueDashboard(context, moduleQueueNames);

  const sessionView = (sessionId: string, session: Awaited<ReturnType<ConsoleSessions['resume']>> & object) => ({
    id: publicSessionId(sessionId),
    actor: session.principal.actor,
    role: session.principal.role,
    tenantId: (session.principal as { tenantId?: string | null }).tenantId ?? null,
    csrfToken: session.csrfToken,
    idleTimeoutSeconds: config.consoleIdleTimeoutSeconds,
    expiresAt: new Date(session.createdAt + config.consoleAbsoluteTimeoutSeconds * 1000).toISOString(),
  });

  const page = (_req: Request, res: Response) => {
    res.setHeader('content-security-policy', consoleCsp);
    res.sendFile('index.html', { root: assetsDir });
  };
  router.get(['/', ''], page);
  router.get('/assets/vendor/chart.umd.min.js', (_req, res) => {
    res.setHeader('content-security-policy', consoleCsp);
    res.sendFile(chartScript, { maxAge: '1h' });
  });
  router.get('/assets/channels.json', (_req, res) => {
    res.setHeader('content-security-policy', consoleCsp);
    res.json(channels);
  });
  // Anything but an existing file (a missing one, a folder, another method) falls through to the 404 problem.
  router.use('/assets', (_req, res, next) => {
    res.setHeader('content-security-policy', consoleCsp);
    next();
  }, express.static(assetsDir, { index: false, redirect: false, fallthrough: true }));

  router.post(
    '/session',
    express.raw({ type: () => true, limit: '4kb' }),
    asyncRoute(async (req, res) => {
      // Login CSRF: only the console's own page may sign in.
      consoleAuth.checkOrigin(req);
      if (!/^application\/json\b/i.test(req.header('content-type') ?? '')) throw new ProblemError('unsupported_media_type');
      let body: unknown;
      try {
        body = JSON.parse((req.body as Buffer).toString('utf8'));
      } catch {
        throw new ProblemError('malformed_json');
      }
      const parsed = signInBody.safeParse(body);
      if (!parsed.success) throw validationProblem(parsed.error, 'body');
      const address = clientAddressKey(req.ip);
      const retryAfter = await authFailures.retryAfterSeconds(address);
      if (retryAfter !== undefined) {
        res.setHeader('retry-after', String(retryAfter));
        throw new ProblemError('rate_limited', `Too many failed authentications from this address; retry in ${retryAfter} s`);
      }
      let principal;
      try {
        principal = await adminAuth.authenticate(`Bearer ${parsed.data.token}`, 'viewer');
      } catch (error) {
        if (error instanceof ProblemError && error.code === 'unauthorized') await authFailures.recordFailure(address);
        throw error;
      }
      await context.adminNetworks.observe(principal, req.ip, 'console');
      // A new sign-in replaces any session this browser had (no session fixation, no orphan left behind).
      const previous = readSessionCookie(req.header('cookie'));
      if (previous) await sessions.destroy(previous);
      const { sessionId, session } = await sessions.create(principal, parsed.data.token, req.ip);
      const tenantId = (principal as { tenantId?: string | null }).tenantId ?? null;
      await appendAudit(db, { tenantId, actor: principal.actor, action: 'console.signed_in', subject: principal.tokenId, data: {} });
      res.setHeader('set-cookie', sessionCookie(sessionId, { secure }));
      res.status(201).json(sessionView(sessionId, session));
    }),
  );
  router.get(
    '/session',
    asyncRoute(async (req, res) => {
      const session = await consoleAuth.session(req, req.ip);
      await context.adminNetworks.observe(session.principal, req.ip, 'console');
      res.json(sessionView(readSessionCookie(req.header('cookie'))!, session));
    }),
  );
  router.delete(
    '/session',
    asyncRoute(async (req, res) => {
      const session = await consoleAuth.session(req);
      await sessions.destroy(readSessionCookie(req.header('cookie'))!);
      await appendAudit(db, { tenantId: null, actor: session.principal.actor, action: 'console.signed_out', subject: session.principal.tokenId, data: {} });
      res.setHeader('set-cookie', clearedSessionCookie({ secure }));
      res.status(204).end();
    }),
  );

  // The queue dashboard: a session is required for everything; changes need operator or above and
  // stepup's own Origin (bull-board's script cannot send the CSRF header; the SameSite=Strict cookie and
  // the Origin check stand in for it).
  /** Resolves true when the request may go on to bull-board; otherwise it has answered (redirect). */
  const dashboardAllows = async (req: Request, res: Response): Promise<boolean> => {
    const sessionId = readSessionCookie(req.header('cookie'));
    const session = sessionId ? await sessions.resume(sessionId, req.ip) : undefined;
    if (!session) {
      // A page load (a browser asks for HTML) goes to the sign-in page; API calls get 401.
      if (req.method === 'GET' && /text\/html/.test(req.header('accept') ?? '')) {
        res.redirect(303, '/admin');
        return false;
      }
      throw new ProblemError('unauthorized', 'The console session has ended; sign in again');
    }
    await context.adminNetworks.observe(session.principal, req.ip, 'console');
    // Queue jobs name tenants and challenges of every tenant: a tenant-scoped token sees none of it.
    if ((session.principal as { tenantId?: string | null }).tenantId) throw new ProblemError('forbidden', 'The queue dashboard is not available to tenant-scoped tokens');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      consoleAuth.checkOrigin(req);
      if (adminRoles.indexOf(session.principal.role) < adminRoles.indexOf('operator')) throw new ProblemError('forbidden', 'Changing queues needs the operator role');
    }
    res.setHeader('content-security-policy', dashboardCsp);
    return true;
  };
  const guardDashboard: express.RequestHandler = (req, res, next) => {
    dashboardAllows(req, res).then((allowed) => allowed && next(), next);
  };
  router.use('/queues', guardDashboard, dashboard.manage);
  router.use('/queues-readonly', guardDashboard, dashboard.readOnly);

  return { router, close: () => dashboard.close() };
}
