// The composition root: builds every service from the typed Config, once, for any role.
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Config } from '../config/config.ts';
import type { Db } from '../storage/db.ts';
import { openDb } from '../storage/open-db.ts';
import type { MigrationSource } from '../storage/migrate.ts';
import { Envelope } from '../crypto/envelope.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { createRedis, describeRedis, whenReady } from '../redis/redis-connections.ts';
import { TenantStore } from '../tenants/tenant-store.ts';
import { PolicyStore } from '../tenants/policy-store.ts';
import { ReceiptSigner } from '../receipts/receipt-signer.ts';
import { ChannelRegistry } from '../channels/channel.ts';
import { ChallengeStore } from '../challenges/challenge-store.ts';
import { ChallengeService } from '../challenges/challenge-service.ts';
import { DeliveryStore } from '../events/delivery-store.ts';
import { KeyAnomalies } from '../security/key-anomalies.ts';
import { AdminTokenNetworks } from '../security/admin-token-networks.ts';
import { KeyUsage } from '../auth/key-usage.ts';
import { BankRequestVerifier } from '../auth/verify-bank-request.ts';
import { AdminAuthenticator } from '../auth/admin-auth.ts';
import { AuthFailureThrottle } from '../auth/auth-failure-throttle.ts';
import { KeyRevocationBus } from '../auth/key-revocation-bus.ts';
import { createQueues, bullmqScheduler, bullmqEventDispatcher } from '../jobs/queues.ts';
import { HoldService } from '../holds/hold-service.ts';
import { createHoldQueue } from '../holds/hold-queue.ts';
import { StopLinks } from '../holds/stop-link.ts';
import type { DestinationStream } from 'pino';
import { systemClock, type Clock } from '../time/clock.ts';
import { ProposalService } from '../policy-approval/proposal-service.ts';
import { runBacktest } from '../backtest/run-backtest.ts';
import type { ChannelHost } from '../channels/channel-module.ts';
import { builtInPolicy, type PolicySchema } from '../policy/policy-schema.ts';

/** Everything the server built: what modules are lent (ChannelHost) and what only the core uses. */
export interface AppContext extends ChannelHost {
  /** The whole challenge service; a channel module sees only its ChallengeOutcomes (channel-module.ts). */
  challenges: ChallengeService;
  /** The challenges table: the core's own (holds, admin routes); channels read through ChallengeOutcomes. */
  challengeStore: ChallengeStore;
  receipts: ReceiptSigner;
  deliveries: DeliveryStore;
  /** Maker-checker for policy changes (docs/admin-api.md "Maker-checker"). */
  proposals: ProposalService;
  bankVerifier: BankRequestVerifier;
  /** What verified bank requests teach about their keys, and the signals raised (docs/security.md). */
  keyUsage: KeyUsage;
  adminAuth: AdminAuthenticator;
  /** Admin tokens' first use from a new network (docs/security.md "Admin tokens and console sessions"). */
  adminNetworks: AdminTokenNetworks;
  keyRateLimiter: RateLimiterRedis;
  authFailures: AuthFailureThrottle;
  keyRevocations: KeyRevocationBus;
  /** The policy document's schema, composed from the modules' sections (startServer passes it). */
  policy: PolicySchema;
  close(): Promise<void>;
}

export interface BuildContextOptions {
  logDestination?: DestinationStream;
  /** Wraps the migrated database before any service uses it (tests inject faults here). */
  wrapDb?: (db: Db) => Db;
  /**
   * What "now" is for everything time-based: challenges (creation, expiry, the day of the daily
   * total), cache lifetimes, key refreshes, signature windows. Tests move it away from midnight in
   * the policy's time zone, or jump it past every refresh (the long-run suite); production uses the
   * system clock.
   */
  clock?: Clock;
  /**
   * What "now" is for bank request signatures (the `created` window, `expires`): tests move it past
   * the windows' edges; production uses the system clock.
   */
  authClock?: () => Date;
  /** The policy document's schema composed from the server's modules; the built-in channels' when absent. */
  policy?: PolicySchema;
  /** The modules whose migrations open the database with the core's (startServer passes its list; none when absent). */
  modules?: readonly MigrationSource[];
  /**
   * With DATA_DIR `:memory:` (tests): where the in-memory database comes from, migrated for `modules`
   * (the suite reuses its PGlite databases: test/support/pglite-pool.ts); a new PGlite when absent.
   */
  memoryDb?: (modules: readonly MigrationSource[]) => Promise<Db>;
}

export async function buildContext(config: Config, options: BuildContextOptions = {}): Promise<AppContext> {
  const clock = options.clock ?? systemClock;
  const policy = options.policy ?? builtInPolicy;
  const logger = createLogger(config.logLevel, options.logDestination);
  const metrics = createMetrics();
  const inMemory = !config.databaseUrl && config.dataDir === ':memory:';
  const opened = inMemory && options.memoryDb ? await options.memoryDb(options.modules ?? []) : await openDb(config, options.modules ?? []);
  const db = options.wrapDb ? options.wrapDb(opened) : opened;
  const redis = createRedis(config.redis, 'command', { autoPipelining: true });
  const queueRedis = createRedis(config.redis, 'command');
  redis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  queueRedis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  const waiting = () => logger.warn({ redis: describeRedis(config.redis) }, 'waiting for Redis');
  await Promise.all([whenReady(redis, waiting), whenReady(queueRedis)]);
  const envelope = new Envelope(config.masterKeys);
  const tenants = new TenantStore(db, envelope, clock);
  // A tenant's version 0 is this server's defaults, every module's section included.
  const policies = new PolicyStore(db, config.policyCacheMs, clock, policy.defaultPolicy);
  const receipts = new ReceiptSigner(db, envelope, config.publicBaseUrl, { clock });
  await receipts.ensureActiveKey();
  const channels = new ChannelRegistry();
  const challengeStore = new ChallengeStore(envelope);
  const deliveries = new DeliveryStore(db);
  const queues = createQueues(queueRedis, config.queuePrefix);
  const holdQueue = createHoldQueue(queueRedis, config.queuePrefix);
  const holds = new HoldService({ db, store: challengeStore, events: bullmqEventDispatcher(queues), queue: holdQueue, logger, links: new StopLinks(config.masterKeys, config.publicBaseUrl), clock });
  const challenges = new ChallengeService({
    db,
    store: challengeStore,
    tenants,
    policies,
    effectivePolicy: policy.effective,
    channels,
    receipts,
    scheduler: bullmqScheduler(queues, clock),
    events: bullmqEventDispatcher(queues),
    metrics,
    logger,
    allowLoopbackCallbacks: config.allowLoopbackCallbacks,
    clock,
    onHeld: (record) => holds.schedule(record),
  });
  const keyRateLimiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: 'rl:key',
    points: config.rateLimitPerKeyPerMinute,
    duration: 60,
    useRedisPackage: false,
  });
  const bankVerifier = new BankRequestVerifier(tenants, redis, { keyCacheMs: config.apiKeyCacheMs, keyMissCacheMs: config.apiKeyMissCacheMs, clock: options.authClock ?? clock });
  const keyAnomalies = new KeyAnomalies({ db, redis, keyPrefix: config.queuePrefix, tenants, events: bullmqEventDispatcher(queues), logger, registry: metrics.registry, clock });
  const adminNetworks = new AdminTokenNetworks({ db, redis, keyPrefix: config.queuePrefix, tenants, events: bullmqEventDispatcher(queues), logger, registry: metrics.registry, clock });
  const keyUsage = new KeyUsage({ db, redis, keyPrefix: config.queuePrefix, anomalies: keyAnomalies, policies, logger, clock });
  const keyRevocations = new KeyRevocationBus({
    redis: config.redis,
    publisher: redis,
    channel: `${config.queuePrefix}:api-key-revoked`,
    onRevoked: (keyId) => bankVerifier.forgetKey(keyId),
    onGap: () => bankVerifier.forgetAllKeys(),
    logger,
  });
  // Only processes that verify bank requests keep a key cache to evict from.
  if (config.role !== 'worker') await keyRevocations.start();
  tenants.onKeyRevoked((keyId) => keyRevocations.announce(keyId));
  // Namespaced by QUEUE_PREFIX: processes of one deployment share the counts, other deployments do not.
  const authFailures = new AuthFailureThrottle(
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.queuePrefix}:auth-failures`,
      points: config.authFailureLimitPerMinute,
      duration: 60,
      useRedisPackage: false,
    }),
    redis,
    logger,
  );
  const proposals = new ProposalService({
    db,
    policies,
    tenants,
    events: bullmqEventDispatcher(queues),
    logger,
    clock,
    backtest: (tenantId, current, draft) => runBacktest({ db, clock, policy }, { tenantId, current, draft }),
    policy,
  });
  return {
    config,
    clock,
    proposals,
    logger,
    metrics,
    db,
    redis,
    queueRedis,
    envelope,
    tenants,
    policies,
    receipts,
    channels,
    challengeStore,
    challenges,
    holds,
    deliveries,
    queues,
    bankVerifier,
    keyUsage,
    adminNetworks,
    adminAuth: new AdminAuthenticator(db, config.adminToken),
    keyRateLimiter,
    authFailures,
    keyRevocations,
    policy,
    async close() {
      await queues.close().catch(() => undefined);
      await holdQueue.close().catch(() => undefined);
      keyRevocations.close();
      keyUsage.close();
      redis.disconnect();
      queueRedis.disconnect();
      await db.close();
    },
  };
}
