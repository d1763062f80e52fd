// Starts the roles asked for: the HTTP API, the queue workers, or both, and stops them gracefully.
import { createServer, type Server } from 'node:http';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import express from 'express';
import type { Worker } from 'bullmq';
import type { Config } from '../config/config.ts';
import { buildContext, type AppContext, type BuildContextOptions } from './build-context.ts';
import { createApp, type HttpApp } from '../http/app.ts';
import { buildOpenApi } from '../http/openapi.ts';
import type { RouteDefinition } from '../http/route.ts';
import { challengeRoutes } from '../http/routes/challenge-routes.ts';
import { tenantAdminRoutes } from '../http/routes/tenant-admin-routes.ts';
import { policyAdminRoutes } from '../http/routes/policy-admin-routes.ts';
import { proposalRoutes } from '../policy-approval/proposal-routes.ts';
import { dashboardExampleFigures, dashboardRoutes } from '../dashboard/dashboard-routes.ts';
import { policyEventSchemas } from '../policy-approval/policy-events.ts';
import { runBacktest } from '../backtest/run-backtest.ts';
import { auditAdminRoutes } from '../http/routes/audit-admin-routes.ts';
import { opsRoutes } from '../http/routes/ops-routes.ts';
import { createRedis } from '../redis/redis-connections.ts';
import { startExpiryWorker } from '../jobs/expiry-worker.ts';
import { startWebhookWorker } from '../jobs/webhook-worker.ts';
import { startMaintenanceWorker, scheduleMaintenance } from '../jobs/maintenance-worker.ts';
import { bullmqEventDispatcher } from '../jobs/queues.ts';
import { channelModules, policySectionsOf, type ChannelModule } from './channel-modules.ts';
import { problemCatalogue } from './problem-catalogue.ts';
import { composePolicy } from '../policy/policy-schema.ts';
import { AuditSequencer } from '../audit/audit-sequencer.ts';
import { customerRoutes } from '../customers/customer-routes.ts';
import { RequestDrain } from './request-drain.ts';
import { watchEventLoopLag } from '../http/event-loop-lag.ts';
import { nowMs } from '../time/clock.ts';
import { capConnectionsPerAddress } from '../http/connection-cap.ts';
import { customerAdminRoutes } from '../customers/customer-admin-routes.ts';
import { challengeAdminRoutes } from '../http/routes/challenge-admin-routes.ts';
import { ConsoleSessions } from '../console/console-sessions.ts';
import { ConsoleAuthenticator } from '../console/console-auth.ts';
import { consoleChannelsOf, createConsoleRouter, type ConsoleMount } from '../console/console-router.ts';
import { consoleSessionRoutes } from '../console/console-session-routes.ts';
import { securitySignalRoutes } from '../security/security-signal-routes.ts';
import { holdRoutes } from '../holds/hold-routes.ts';
import { holdQueueNames, startHoldWorker } from '../holds/hold-queue.ts';
import { holdCalling } from './hold-telephony.ts';

export interface RunningServer {
  context: AppContext;
  /** Base URL the HTTP API listens on (when the role serves HTTP). */
  url: string | undefined;
  routes: RouteDefinition[];
  /** The HTTP front (when the role serves HTTP): the declared routes, and express for the mounts. */
  app: HttpApp | undefined;
  /** Paths mounted beside the declared routes (console, asset folders, Twilio webhooks): not in /openapi.json. */
  mounts: string[];
  close(): Promise<void>;
}

/** The console's sessions (Redis), shared by the console's mount and the admin routes that list and end them. */
export const createConsoleSessions = (context: AppContext): ConsoleSessions =>
  new ConsoleSessions({
    redis: context.redis,
    db: context.db,
    keyPrefix: context.config.queuePrefix,
    idleTimeoutMs: context.config.consoleIdleTimeoutSeconds * 1000,
    absoluteTimeoutMs: context.config.consoleAbsoluteTimeoutSeconds * 1000,
    bootstrapToken: context.config.adminToken,
    now: () => nowMs(context.clock),
  });

export function declareRoutes(context: AppContext, modules: ChannelModule[] = channelModules, consoleSessions = createConsoleSessions(context)): RouteDefinition[] {
  const routes: RouteDefinition[] = [];
  routes.push(
    ...opsRoutes({ db: context.db, dbStuckAfterMs: context.config.dbStuckAfterMs, redis: context.redis, registry: context.metrics.registry, metricsToken: context.config.metricsToken, receipts: context.receipts, openApi: () => buildOpenApi(routes, context.config.publicBaseUrl, policyEventSchemas, { examples: Object.assign({}, ...modules.map((module) => module.openApiExamples ?? {})), dashboardFigures: dashboardExampleFigures(modules), problemCodes: problemCatalogue(modules) }) }),
    ...challengeRoutes({ db: context.db, challenges: context.challenges, stopUrlOf: (record) => context.holds.stopUrlOf(record), channelNames: context.policy.channelNames }),
    ...holdRoutes({ db: context.db, holds: context.holds, tenants: context.tenants, policies: context.policies, channelNames: context.policy.channelNames }),
    ...tenantAdminRoutes({ db: context.db, tenants: context.tenants, deliveries: context.deliveries, allowLoopbackCallbacks: context.config.allowLoopbackCallbacks, clock: context.clock, onKeyRestored: (keyId) => context.keyUsage.forgetStrongSignals(keyId) }),
    ...policyAdminRoutes({ db: context.db, tenants: context.tenants, policies: context.policies, proposals: context.proposals, policy: context.policy, backtest: (input) => runBacktest(context, input) }),
    ...proposalRoutes({ proposals: context.proposals }),
    ...dashboardRoutes({ db: context.db, tenants: context.tenants, policies: context.policies, clock: context.clock, modules, host: context }),
    ...auditAdminRoutes({ db: context.db, adminAuth: context.adminAuth, receipts: context.receipts, tenants: context.tenants }),
    ...customerRoutes(context, modules),
    ...customerAdminRoutes(context, modules),
    ...challengeAdminRoutes({ db: context.db, tenants: context.tenants, challengeStore: context.challengeStore, deliveries: context.deliveries, queues: context.queues, modules, host: context }),
    ...consoleSessionRoutes({ db: context.db, sessions: consoleSessions }),
    ...securitySignalRoutes({ db: context.db }),
    ...modules.flatMap((module) => module.routes?.(context) ?? []),
  );
  return routes;
}

/** The files the /docs page loads (ops-routes.ts), and nothing else of swagger-ui-dist: not its stock demo page. */
const swaggerFiles = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js']);

function swaggerAssets(): express.RequestHandler {
  const require = createRequire(import.meta.url);
  const files = express.static(dirname(require.resolve('swagger-ui-dist/package.json')), { index: false, maxAge: '1h' });
  return (req, res, next) => (swaggerFiles.has(req.path) ? files(req, res, next) : next());
}

export async function startServer(
  config: Config,
  options: BuildContextOptions & { modules?: ChannelModule[] } = {},
): Promise<RunningServer> {
  const modules = options.modules ?? channelModules;
  // A problem code declared by two modules stops the server before anything starts.
  problemCatalogue(modules);
  // A module's settings come from loadConfig(env, modules): a module it was not given would run without them.
  const unconfigured = modules.filter((module) => module.config && !Object.hasOwn(config.modules, module.name)).map((module) => module.name);
  if (unconfigured.length > 0) throw new Error(`the configuration was loaded without the ${unconfigured.join(', ')} module(s): pass the module list to loadConfig`);
  const context = await buildContext(config, { ...options, modules, policy: options.policy ?? composePolicy(policySectionsOf(modules)) });
  for (const module of modules) await module.register(context);
  // Notification calls of held transfers, when calls can be placed (docs/holds.md).
  const calling = await holdCalling(context);
  const { logger } = context;
  const consoleSessions = createConsoleSessions(context);
  const routes = declareRoutes(context, modules, consoleSessions);
  let server: Server | undefined;
  const drain = new RequestDrain();
  let app: HttpApp | undefined;
  let url: string | undefined;
  let consoleMount: ConsoleMount | undefined;
  let mounts: { path: string; handler: express.RequestHandler }[] = [];
  const workers: Worker[] = [];
  const auditSequencer = config.role !== 'api' ? new AuditSequencer(context.db, logger) : undefined;
  const workerRedis = config.role !== 'api' ? createRedis(config.redis, 'worker') : undefined;
  workerRedis?.on('error', (error) => logger.debug({ err: error }, 'worker redis error'));

  // Only a process that serves HTTP sheds bank requests when its event loop runs late.
  const loopLag = config.role !== 'worker' && config.maxEventLoopLagMs > 0 ? watchEventLoopLag({ maxLagMs: config.maxEventLoopLagMs, clock: context.clock }) : undefined;
  if (config.role !== 'worker') {
    const consoleAuth = new ConsoleAuthenticator(consoleSessions, config.publicBaseUrl);
    const consoleChannels = consoleChannelsOf(context.policy.channelNames, modules);
    consoleMount = createConsoleRouter(context, consoleSessions, consoleAuth, [...modules.flatMap((module) => module.queueNames ?? []), ...Object.values(holdQueueNames)], consoleChannels);
    mounts = [{ path: '/docs/assets', handler: swaggerAssets() }, { path: '/admin', handler: consoleMount.router }, ...modules.flatMap((module) => module.mounts?.(context) ?? []), ...(calling ? [calling.mount] : [])];
    app = createApp({
      routes,
      logger,
      metrics: context.metrics,
      publicBaseUrl: config.publicBaseUrl,
      bodyLimit: config.bodyLimit,
      maxBankRequestsInFlight: config.maxBankRequestsInFlight,
      ...(loopLag ? { loopLag } : {}),
      trustProxy: config.trustProxy,
      bankVerifier: context.bankVerifier,
      keyUsage: context.keyUsage,
      adminNetworks: context.adminNetworks,
      adminAuth: context.adminAuth,
      keyRateLimiter: context.keyRateLimiter,
      authFailures: context.authFailures,
      consoleAuth,
      mounts,
    });
    // Slow or abandoned requests are cut off within seconds, not node's 300 s (docs/security.md, L4);
    // node checks these deadlines at an interval, kept below the shorter one.
    server = createServer(
      {
        headersTimeout: config.httpHeadersTimeoutMs,
        requestTimeout: config.httpRequestTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, Math.floor(config.httpHeadersTimeoutMs / 2)),
      },
      drain.listener(app.listener),
    );
    server.keepAliveTimeout = 65_000;
    // A body cut short is the request's own 400 request_aborted, not node's bare 400 (docs/security.md, L4).
    server.on('clientError', app.onClientError);
    capConnectionsPerAddress(server, config.maxConnectionsPerAddress, logger);
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    // A wildcard host is reached on loopback; an IPv6 host is bracketed.
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
    url = `http://${host}:${port}`;
    logger.info({ url, role: config.role, database: context.db.kind }, 'stepup API listening');
  }

  if (workerRedis) {
    const prefix = config.queuePrefix;
    workers.push(
      startExpiryWorker(workerRedis, prefix, context.challenges, context.clock),
      startWebhookWorker({ connection: workerRedis, prefix, deliveries: context.deliveries, tenants: context.tenants, metrics: context.metrics, logger, allowLoopbackCallbacks: config.allowLoopbackCallbacks }),
      startMaintenanceWorker({
        connection: workerRedis,
        prefix,
        db: context.db,
        store: context.challengeStore,
        challenges: context.challenges,
        deliveries: context.deliveries,
        events: bullmqEventDispatcher(context.queues),
        logger,
        metrics: context.metrics,
        clock: context.clock,
        // The modules' clean-ups, bound here so src/jobs never imports a channel.
        sweeps: [
          ...modules.flatMap((module) => (module.sweep ? [{ module: module.name, sweep: (now: Date) => module.sweep!(context, now) }] : [])),
          // Holds are released by the hold service's own clock (docs/holds.md): the sweep is their source of truth.
          { module: 'holds', sweep: () => context.holds.sweep() },
        ],
      }),
      startHoldWorker(workerRedis, prefix, holdQueueNames.release, (job) => context.holds.onReleaseJob(job)),
      ...(calling ? [calling.worker(workerRedis)] : []),
      ...modules.flatMap((module) => module.workers?.(context, workerRedis) ?? []),
    );
    auditSequencer!.start();
    for (const worker of workers) worker.on('error', (error) => logger.warn({ err: error, queue: worker.name }, 'worker error'));
    await scheduleMaintenance(context.queues).catch((error: unknown) => logger.warn({ err: error }, 'could not schedule maintenance yet'));
    logger.info({ queues: workers.map((w) => w.name) }, 'stepup workers running');
  }

  let closing: Promise<void> | undefined;
  return {
    context,
    url,
    routes,
    app,
    mounts: mounts.map((mount) => mount.path),
    close() {
      closing ??= (async () => {
        // Stop taking requests at once (later ones get 503), let in-flight ones finish, and only
        // then let workers finish their jobs and close queues and pools (docs/reliability.md).
        if (server) {
          const { cut } = await drain.drain(server, config.shutdownGraceMs);
          if (cut > 0) logger.warn({ cut, graceMs: config.shutdownGraceMs }, 'shutdown grace period over: requests still running were cut off');
        }
        loopLag?.stop();
        await Promise.all(workers.map((worker) => worker.close()));
        await consoleMount?.close();
        await calling?.close();
        for (const module of modules) await module.close?.();
        await auditSequencer?.stop();
        workerRedis?.disconnect();
        await context.close();
      })();
      return closing;
    },
  };
}
