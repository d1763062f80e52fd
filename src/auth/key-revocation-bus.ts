// A revoked API key must stop working on every API process at once, not when each process's key cache
// expires: the revoking process publishes the key id on a Redis channel, and every process (itself
// included) has a subscriber connection that evicts the key from its cache (docs/signing-requests.md).
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import type { RedisTarget } from '../config/config.ts';
import { connectRedis } from '../redis/redis-connections.ts';

export interface KeyRevocationBusOptions {
  redis: RedisTarget;
  /** The connection that publishes (any command connection). */
  publisher: Redis;
  /** Namespaced per deployment, like the queues. */
  channel: string;
  /** Evicts one key id from this process's cache. */
  onRevoked: (keyId: string) => void;
  /** Called when revocations may have been missed (the subscriber reconnected). */
  onGap: () => void;
  logger: Logger;
}

export class KeyRevocationBus {
  private readonly subscriber: Redis;
  private subscribedOnce = false;

  constructor(private readonly options: KeyRevocationBusOptions) {
    // A subscriber connection serves nothing else (Redis restricts subscribed connections to pub/sub);
    // it retries for ever and ioredis re-subscribes after a reconnect.
    this.subscriber = connectRedis(options.redis, {
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      connectionName: 'stepup-key-revocations',
      // Connected by start(): processes that verify no bank request (workers) never open it.
      lazyConnect: true,
    });
    this.subscriber.on('error', (error) => options.logger.debug({ err: error }, 'key revocation subscriber error'));
    this.subscriber.on('message', (channel: string, keyId: string) => {
      if (channel === options.channel) options.onRevoked(keyId);
    });
    this.subscriber.on('ready', () => {
      // Messages published while disconnected are lost: forget every cached key after a reconnect.
      if (this.subscribedOnce) options.onGap();
    });
  }

  /** Resolves once this process receives revocations. */
  async start(): Promise<void> {
    await this.subscriber.subscribe(this.options.channel);
    this.subscribedOnce = true;
  }

  /**
   * Call after the revocation is committed. Evicts locally first; if Redis cannot be reached the other
   * processes still drop the key when their cache entry expires.
   */
  async announce(keyId: string): Promise<void> {
    this.options.onRevoked(keyId);
    try {
      await this.options.publisher.publish(this.options.channel, keyId);
    } catch (error) {
      this.options.logger.warn({ err: error, keyId }, 'could not publish a key revocation; other processes drop it when their key cache expires');
    }
  }

  close(): void {
    this.subscriber.disconnect();
  }
}
