// The composition root: builds every service from the typed Config, once, for any role.
import { join } from 'node:path';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Config } from '../config/config.ts';
import type { Db } from '../storage/db.ts';
import { migrate } from '../storage/migrate.ts';
import { createPgDb } from '../storage/pg-db.ts';
import { createPgliteDb } from '../storage/pglite-db.ts';
import { Envelope } from '../crypto/envelope.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { createRedis, whenReady } from '../redis/redis-connections.ts';
import { TenantStore } from '../tenants/tenant-store.ts';
import { PolicyStore } from '../tenants/policy-store.ts';
import { ReceiptSigner } from '../receipts/receipt-signer.ts';
import { ChannelRegistry } from '../channels/channel.ts';
import { ChallengeStore } from '../challenges/challenge-store.ts';
import { ChallengeService } from '../challenges/challenge-service.ts';
import { DeliveryStore } from '../events/delivery-store.ts';
import { BankRequestVerifier } from '../auth/verify-bank-request.ts';
import { AdminAuthenticator } from '../auth/admin-auth.ts';
import { AuthFailureThrottle } from '../auth/auth-failure-throttle.ts';
import { KeyRevocationBus } from '../auth/key-revocation-bus.ts';
import { createQueues, bullmqScheduler, bullmqEventDispatcher, type Queues } from '../jobs/queues.ts';
import { HoldService } from '../holds/hold-service.ts';
import { createHoldQueue } from '../holds/hold-queue.ts';
import { StopLinks } from '../holds/stop-link.ts';
import type { DestinationStream } from 'pino';

export interface AppContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Db;
  redis: Redis;
  queueRedis: Redis;
  envelope: Envelope;
  tenants: TenantStore;
  policies: PolicyStore;
  receipts: ReceiptSigner;
  channels: ChannelRegistry;
  challengeStore: ChallengeStore;
  challenges: ChallengeService;
  /** After approval: hold, tell, stop (docs/holds.md). */
  holds: HoldService;
  deliveries: DeliveryStore;
  queues: Queues;
  bankVerifier: BankRequestVerifier;
  adminAuth: AdminAuthenticator;
  keyRateLimiter: RateLimiterRedis;
  authFailures: AuthFailureThrottle;
  keyRevocations: KeyRevocationBus;
  close(): Promise<void>;
}

export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Db> {
  const db = config.databaseUrl
    ? createPgDb(config.databaseUrl)
    : await createPgliteDb(config.dataDir === ':memory:' ? undefined : join(config.dataDir, 'pglite'));
  await migrate(db);
  return db;
}

export interface BuildContextOptions {
  logDestination?: DestinationStream;
  /** Wraps the migrated database before any service uses it (tests inject faults here). */
  wrapDb?: (db: Db) => Db;
  /**
   * What "now" is for new challenges (creation time, expiry, the day of the daily total). Tests
   * move it away from midnight in the policy's time zone so a run crossing midnight cannot break
   * a daily total; production uses the system clock.
   */
  clock?: () => Date;
}

export async function buildContext(config: Config, options: BuildContextOptions = {}): Promise<AppContext> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const metrics = createMetrics();
  const opened = await openDatabase(config);
  const db = options.wrapDb ? options.wrapDb(opened) : opened;
  const redis = createRedis(config.redisUrl, 'command', { autoPipelining: true });
  const queueRedis = createRedis(config.redisUrl, 'command');
  redis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  queueRedis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  const waiting = () => logger.warn({ redis: config.redisUrl.replace(/\/\/[^@]*@/, '//***@') }, 'waiting for Redis');
  await Promise.all([whenReady(redis, waiting), whenReady(queueRedis)]);
  const envelope = new Envelope(config.masterKeys);
  const tenants = new TenantStore(db, envelope);
  const policies = new PolicyStore(db, config.policyCacheMs);
  const receipts = new ReceiptSigner(db, envelope, config.publicBaseUrl);
  await receipts.ensureActiveKey();
  const channels = new ChannelRegistry();
  const challengeStore = new ChallengeStore(envelope);
  const deliveries = new DeliveryStore(db);
  const queues = createQueues(queueRedis, config.queuePrefix);
  const holdQueue = createHoldQueue(queueRedis, config.queuePrefix);
  const holds = new HoldService({ db, store: challengeStore, events: bullmqEventDispatcher(queues), queue: holdQueue, logger, links: new StopLinks(config.masterKeys, config.publicBaseUrl), clock: options.clock });
  const challenges = new ChallengeService({
    db,
    store: challengeStore,
    tenants,
    policies,
    channels,
    receipts,
    scheduler: bullmqScheduler(queues),
    events: bullmqEventDispatcher(queues),
    metrics,
    logger,
    allowLoopbackCallbacks: config.allowLoopbackCallbacks,
    clock: options.clock,
    onHeld: (record) => holds.schedule(record),
  });
  const keyRateLimiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: 'rl:key',
    points: config.rateLimitPerKeyPerMinute,
    duration: 60,
    useRedisPackage: false,
  });
  const bankVerifier = new BankRequestVerifier(tenants, redis, { keyCacheMs: config.apiKeyCacheMs, keyMissCacheMs: config.apiKeyMissCacheMs });
  const keyRevocations = new KeyRevocationBus({
    redisUrl: config.redisUrl,
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
  return {
    config,
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
    adminAuth: new AdminAuthenticator(db, config.adminToken),
    keyRateLimiter,
    authFailures,
    keyRevocations,
    async close() {
      await queues.close().catch(() => undefined);
      await holdQueue.close().catch(() => undefined);
      keyRevocations.close();
      redis.disconnect();
      queueRedis.disconnect();
      await db.close();
    },
  };
}
