// Failed authentication (bank signatures and admin tokens alike) is counted per client address in
// Redis, so the limit holds across API processes. An address over the limit is refused before any
// key or token lookup (docs/security.md, F3); a bank request with a cached key reads the count in the
// round trip that claims its nonce.
import ipaddr from 'ipaddr.js';
import type { Redis } from 'ioredis';
import type { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from '../observability/logger.ts';
import { rememberRecentAnswers } from './recent-answers.ts';

/**
 * The limiter's count and time left for one key, atomically, as one command: what
 * rate-limiter-flexible's get() reads with MULTI/GET/PTTL/EXEC, whose transaction costs ioredis
 * several objects per call on every bank request (BENCHMARKS.md).
 */
const countAndTtlScript = "return { redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]) }";
type CountAndTtl = (key: string) => Promise<[string | null, number]>;

/** IPv4 as is (IPv4-mapped IPv6 unwrapped); IPv6 by its /64, which one client typically holds whole. */
function addressKeyOf(remoteAddress: string | undefined): string {
  if (!remoteAddress || !ipaddr.isValid(remoteAddress)) return 'unknown';
  const address = ipaddr.process(remoteAddress);
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 4);
  return `${parts.join(':')}::/64`;
}

const recentAddressKeys = rememberRecentAnswers(addressKeyOf);

export function clientAddressKey(remoteAddress: string | undefined): string {
  return remoteAddress === undefined ? addressKeyOf(remoteAddress) : recentAddressKeys(remoteAddress);
}

export class AuthFailureThrottle {
  private readonly countAndTtl: CountAndTtl;

  constructor(
    /** Points: failures allowed per window; duration: the window. Failures are counted by it. */
    private readonly limiter: RateLimiterRedis,
    /** The limiter's Redis client: the count is read there. */
    redis: Redis,
    private readonly logger: Logger,
  ) {
    if (!('stepupCountAndTtl' in redis)) redis.defineCommand('stepupCountAndTtl', { numberOfKeys: 1, lua: countAndTtlScript });
    const command = (redis as unknown as { stepupCountAndTtl: CountAndTtl }).stepupCountAndTtl;
    this.countAndTtl = (key) => command.call(redis, key);
  }

  /**
   * Seconds to wait when the address is over the limit, otherwise undefined. Fails open when Redis
   * is unreachable: the bank path then stops at the nonce claim anyway, and admins keep access.
   */
  async retryAfterSeconds(addressKey: string): Promise<number | undefined> {
    let count: string | null;
    let msBeforeNext: number;
    try {
      [count, msBeforeNext] = await this.countAndTtl(this.limiter.getKey(addressKey));
    } catch (error) {
      this.logger.warn({ err: error }, 'authentication failure throttle unavailable');
      return undefined;
    }
    if (count === null || Number.parseInt(count, 10) < this.limiter.points) return undefined;
    return Math.max(1, Math.ceil(msBeforeNext / 1000));
  }

  async recordFailure(addressKey: string): Promise<void> {
    await this.limiter.penalty(addressKey, 1).catch((error: unknown) => this.logger.warn({ err: error }, 'could not count an authentication failure'));
  }
}
