// Per-process cache of API key lookups, hits and misses alike. Misses are kept briefly so a flood of
// unknown key ids does not reach the database on every request; revocations evict at once (published
// over Redis by key-revocation-bus.ts), and the TTLs bound staleness if a message is ever lost.

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
  private readonly entries = new Map<string, { value: Value | null; until: number }>();
  /** Bumped by every eviction: a lookup that started before one must not store what it read. */
  private evictions = 0;

  constructor(private readonly options: ApiKeyCacheOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** `beforeLoad` runs only when the cache cannot answer, before `load` (e.g. a check that may refuse the lookup). */
  async get(keyId: string, load: (keyId: string) => Promise<Value | null>, beforeLoad?: () => Promise<void>): Promise<Value | null> {
    const cached = this.entries.get(keyId);
    if (cached && cached.until > this.now()) return cached.value;
    await beforeLoad?.();
    const evictionsBefore = this.evictions;
    const value = await load(keyId);
    // A revocation that arrived while the database was read may have been read as still active.
    if (this.evictions !== evictionsBefore) return value;
    const ttl = value === null ? this.options.missTtlMs : this.options.hitTtlMs;
    this.entries.delete(keyId);
    if (ttl > 0) {
      if (this.entries.size >= (this.options.maxEntries ?? 10_000)) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(keyId, { value, until: this.now() + ttl });
    }
    return value;
  }

  evict(keyId: string): void {
    this.evictions += 1;
    this.entries.delete(keyId);
  }

  /** After a gap in revocation messages (the subscriber reconnected), nothing cached can be trusted. */
  clear(): void {
    this.evictions += 1;
    this.entries.clear();
  }
}
