// A per-process cache of values read from the database, each kept for a time chosen per value, with
// one load per key at a time: callers that miss while a load is in flight wait for it instead of
// starting their own. Without that, the first burst after an entry expired (or after a quiet spell)
// sent every concurrent request to the database for the same row (BENCHMARKS.md: the first second
// of load after a pause). An invalidation makes loads already under way answer their callers but
// store nothing, since they may have read the value the invalidation replaced.

export interface TtlCacheOptions<Value> {
  /** How long a loaded value is kept, in ms; 0 keeps it not at all. */
  ttlMs: (value: Value) => number;
  /** Entries kept at most; the oldest go first (keys may be chosen by callers, e.g. key ids). */
  maxEntries?: number;
  now?: () => number;
}

export class TtlCache<Value> {
  private readonly entries = new Map<string, { value: Value; until: number }>();
  private readonly loading = new Map<string, Promise<Value>>();
  /** Bumped by every invalidation: a load that started before one must not store what it read. */
  private generation = 0;

  constructor(private readonly options: TtlCacheOptions<Value>) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /**
   * `beforeLoad` runs only when this call would start a load (not on a hit, not when a load is already
   * under way), before it starts; if it throws, this caller gets the error and nothing is loaded.
   */
  async get(key: string, load: (key: string) => Promise<Value>, beforeLoad?: () => Promise<void>): Promise<Value> {
    const ready = this.cachedOrLoading(key);
    if (ready) return ready;
    if (beforeLoad) {
      await beforeLoad();
      const meanwhile = this.cachedOrLoading(key);
      if (meanwhile) return meanwhile;
    }
    const generation = this.generation;
    const loaded = load(key).then(
      (value) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        if (generation === this.generation) this.store(key, value);
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }

  private cachedOrLoading(key: string): Promise<Value> | undefined {
    const cached = this.entries.get(key);
    if (cached && cached.until > this.now()) return Promise.resolve(cached.value);
    return this.loading.get(key);
  }

  private store(key: string, value: Value): void {
    const ttl = this.options.ttlMs(value);
    this.entries.delete(key);
    if (ttl <= 0) return;
    if (this.entries.size >= (this.options.maxEntries ?? 10_000)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: this.now() + ttl });
  }

  delete(key: string): void {
    this.generation += 1;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.loading.clear();
  }
}
