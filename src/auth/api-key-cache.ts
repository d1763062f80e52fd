// Per-process cache of API key lookups, hits and misses alike. Misses are kept briefly so a flood of
// unknown key ids does not reach the database on every request; revocations evict at once (published
// over Redis by key-revocation-bus.ts), and the TTLs bound staleness if a message is ever lost.
// Concurrent misses of one key id share one lookup (src/storage/ttl-cache.ts).
import { TtlCache } from '../storage/ttl-cache.ts';

export interface ApiKeyCacheOptions {
  /** How long a found key is trusted without asking the database again. */
  hitTtlMs: number;
  /** How long "no such active key" is remembered. */
  missTtlMs: number;
  /** Entries kept at most; the oldest go first (unknown ids are attacker-chosen, so the map is bounded). */
  maxEntries?: number;
  now?: () => number;
}

export class ApiKeyCache<Value> {
  private readonly cache: TtlCache<Value | null>;

  constructor(options: ApiKeyCacheOptions) {
    this.cache = new TtlCache<Value | null>({
      ttlMs: (value) => (value === null ? options.missTtlMs : options.hitTtlMs),
      maxEntries: options.maxEntries ?? 10_000,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** `beforeLoad` runs only when the cache cannot answer, before `load` (e.g. a check that may refuse the lookup). */
  get(keyId: string, load: (keyId: string) => Promise<Value | null>, beforeLoad?: () => Promise<void>): Promise<Value | null> {
    return this.cache.get(keyId, load, beforeLoad);
  }

  /** A revoked key: dropped, and a lookup under way (which may have read it as active) is not stored. */
  evict(keyId: string): void {
    this.cache.delete(keyId);
  }

  /** After a gap in revocation messages (the subscriber reconnected), nothing cached can be trusted. */
  clear(): void {
    this.cache.clear();
  }
}
