// What stepup learns from each verified bank request, in the Redis round trip the nonce claim already
// makes (one script, auto-pipelined with the claim; docs/security.md "Key protections"): the networks
// (/24, /64) a key is used from, so its first use from a new one is signalled once; its rate against
// its own baseline; the share of its requests that failed; the distinct unknown customers it asked
// about. A request's outcome is known only once it is answered: it waits in this process and rides the
// key's next request's round trip, or a flush a second later when no request comes. And the key's last
// use (time and address) for admins, written to the database at most once a minute per key and
// process, and at once from a new network.
import type { Redis } from 'ioredis';
import type { Db } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { KeyAnomalies } from '../security/key-anomalies.ts';
import type { PolicyStore } from '../tenants/policy-store.ts';
import type { RefusedKeyUse } from './verify-bank-request.ts';
import { displayAddress, rememberNetworkLua, usageNetworkOf } from './key-networks.ts';
import { keySignalsOf, isStrongSignal, type KeyTraffic } from '../security/key-signals.ts';
import { keyProtectionDefaults } from '../security/key-protection-policy.ts';
import { nowMs, type Clock } from '../time/clock.ts';

/** Time constants of the decaying counts, in seconds (docs/security.md "Key protections"). */
export const keyWatchSeconds = { lastMinute: 60, baseline: 7 * 86_400, failures: 300, unknownBucket: 300 } as const;

/**
 * KEYS: networks set, traffic hash, unknown customers of this bucket and of the previous one (HLL).
 * ARGV: network, networks kept, now (ms, stepup's clock), requests (1, or 0 for carried outcomes
 * alone), failed requests carried, then the unknown customers carried.
 * Returns: the network verdict (0 known, 1 the key's first network ever — its baseline, 2 a new one,
 * -1 not asked), then the measurements of KeyTraffic as strings (Lua numbers would come back as
 * integers), the distinct unknown customers last (-1: none added).
 * Each count decays as c·e^(−Δt/τ) + n; a rate is the count over τ(1 − e^(−age/τ)), so a young key's
 * rates are the average over its life so far: a new key's first burst is its own baseline.
 */
const keyWatchScript = `${rememberNetworkLua}
local now = tonumber(ARGV[3])
local requests = tonumber(ARGV[4])
local seen = -1
if requests > 0 then seen = rememberNetwork(KEYS[1], ARGV[1], tonumber(ARGV[2])) end
local state = redis.call('HMGET', KEYS[2], 't', 'f', 's', 'b', 'q', 'x')
local last = tonumber(state[1]) or now
local first = tonumber(state[2]) or now
if now < last then now = last end
local dt = (now - last) / 1000
local function decayed(value, tau, add) return (tonumber(value) or 0) * math.exp(-dt / tau) + add end
local minute = decayed(state[3], ${keyWatchSeconds.lastMinute}, requests)
local base = decayed(state[4], ${keyWatchSeconds.baseline}, requests)
local recent = decayed(state[5], ${keyWatchSeconds.failures}, requests)
local failed = decayed(state[6], ${keyWatchSeconds.failures}, tonumber(ARGV[5]))
redis.call('HSET', KEYS[2], 't', now, 'f', first, 's', minute, 'b', base, 'q', recent, 'x', failed)
redis.call('EXPIRE', KEYS[2], ${4 * keyWatchSeconds.baseline})
local age = math.max(1, (now - first) / 1000)
local function perMinute(count, tau) return count / (tau * (1 - math.exp(-age / tau))) * 60 end
local unknown = -1
if #ARGV > 5 then
  redis.call('PFADD', KEYS[3], unpack(ARGV, 6))
  redis.call('EXPIRE', KEYS[3], ${2 * keyWatchSeconds.unknownBucket})
  unknown = redis.call('PFCOUNT', KEYS[3], KEYS[4])
end
return {seen, tostring(minute), tostring(perMinute(minute, ${keyWatchSeconds.lastMinute})), tostring(perMinute(base, ${keyWatchSeconds.baseline})), tostring(recent), tostring(failed), unknown}`;

/** Networks remembered per key. */
const networksKept = 10_000;
/** How often a key's last use is written to the database, per process. */
export const lastUsePersistMs = 60_000;
/** Outcomes wait at most this long for the key's next request before they are flushed on their own. */
const flushAfterMs = 1000;
/** Unknown customers carried per key (beyond it, they are sent at once). */
const unknownCarried = 100;
/**
 * While a signal stays over its threshold every request of the key crosses it again: for this long a
 * process asks Redis only once whether it was raised in its window (the spike itself costs no extra
 * round trip per request).
 */
const raisedMemoMs = 10_000;

/**
 * A bank request's answer, as the key's bookkeeping counts it: a failure is a 4xx other than the
 * answers a correct integration gets in normal use (409 conflicts, 422 refusals such as an ineligible
 * number or a weak secret, 429 rate limits: the rate signal covers those).
 */
export const isFailedAnswer = (status: number): boolean => status >= 400 && status < 500 && status !== 409 && status !== 422 && status !== 429;

interface Carried {
  tenantId: string;
  /** Where the last of them came from: a signal they raise on their own names it. */
  network: string;
  address: string | undefined;
  failures: number;
  unknown: Set<string>;
  /** When the first of them was recorded (process time). */
  since: number;
}

export class KeyUsage {
  private readonly persistedAt = new Map<string, number>();
  private readonly carried = new Map<string, Carried>();
  /** `keyId:signal` → until when (ms by the server's clock) this process knows the signal was raised. */
  private readonly raised = new Map<string, number>();
  private readonly flusher: NodeJS.Timeout;
  /** Flushes under way (their count and judgement), for settle(). */
  private readonly flushing = new Set<Promise<void>>();

  constructor(private readonly deps: { db: Db; redis: Redis; keyPrefix: string; anomalies: KeyAnomalies; policies: PolicyStore; logger: Logger; clock: Clock }) {
    this.flusher = setInterval(() => this.flushStale(), flushAfterMs);
    this.flusher.unref();
  }

  /** One verified request of `key` from `address` (TRUST_PROXY applied). */
  async observe(key: { tenantId: string; keyId: string }, address: string | undefined): Promise<void> {
    const network = usageNetworkOf(address);
    // Issued synchronously: the script joins the nonce claim's pipeline (autoPipelining).
    const [seen, traffic] = await this.count(key, network, 1);
    this.persistLastUse(key.keyId, address, seen !== 0);
    if (seen === 2) await this.deps.anomalies.raise({ ...key, signal: 'new_network', network, address: displayAddress(address), refused: false });
    await this.judge(key, traffic, network, displayAddress(address));
  }

  /** A verified request's answer: a failure or an unknown customer rides the key's next round trip. */
  answered(key: { tenantId: string; keyId: string }, address: string | undefined, answer: { status: number; unknownCustomer?: string | undefined }): void {
    const failed = isFailedAnswer(answer.status);
    const { unknownCustomer } = answer;
    if (!failed && unknownCustomer === undefined) return;
    let carried = this.carried.get(key.keyId);
    if (!carried) this.carried.set(key.keyId, (carried = { tenantId: key.tenantId, network: '', address: undefined, failures: 0, unknown: new Set(), since: performance.now() }));
    carried.network = usageNetworkOf(address);
    carried.address = address;
    if (failed) carried.failures += 1;
    if (unknownCustomer !== undefined) carried.unknown.add(unknownCustomer.slice(0, 128));
    if (carried.unknown.size >= unknownCarried) this.flush(key.keyId);
  }

  /** A correctly signed request the key's protections refused: signalled once per network and hour. */
  async refused(refusal: RefusedKeyUse, address: string | undefined): Promise<void> {
    const { tenantId, keyId, signal } = refusal;
    await this.deps.anomalies.raiseOnce({ tenantId, keyId, signal, network: usageNetworkOf(address), address: displayAddress(address), refused: true });
  }

  /**
   * An admin restored a suspended key: its strong signals start afresh (their windows and the counts
   * that crossed them), so a renewed attack suspends it again and the bank's next request does not.
   */
  async forgetStrongSignals(keyId: string): Promise<void> {
    const { redis } = this.deps;
    const bucket = Math.floor(nowMs(this.deps.clock) / 1000 / keyWatchSeconds.unknownBucket);
    await redis.del(
      this.keyOf('key-anomaly', keyId, 'rate_spike:key'),
      this.keyOf('key-anomaly', keyId, 'customer_enumeration:key'),
      this.keyOf('key-unknown', keyId, String(bucket)),
      this.keyOf('key-unknown', keyId, String(bucket - 1)),
    );
    await redis.hset(this.keyOf('key-traffic', keyId), 's', 0);
    this.carried.delete(keyId);
    for (const signal of ['rate_spike', 'customer_enumeration']) this.raised.delete(`${keyId}:${signal}`);
  }

  /**
   * Flushes every key's carried outcomes now and resolves once they, and any flush already under way,
   * have been counted and judged (a signal they raise is audited by then). Tests wait on this instead
   * of on the flush interval.
   */
  async settle(): Promise<void> {
    for (const keyId of [...this.carried.keys()]) this.flush(keyId);
    await Promise.all(this.flushing);
  }

  close(): void {
    clearInterval(this.flusher);
  }

  private keyOf(kind: string, keyId: string, suffix?: string): string {
    return `${this.deps.keyPrefix}:${kind}:${keyId}${suffix === undefined ? '' : `:${suffix}`}`;
  }

  /** The one script call: this request (if any) and the outcomes carried for the key. */
  private async count(key: { keyId: string }, network: string, requests: 0 | 1): Promise<[number, KeyTraffic]> {
    const carried = this.carried.get(key.keyId);
    this.carried.delete(key.keyId);
    const now = nowMs(this.deps.clock);
    const bucket = Math.floor(now / 1000 / keyWatchSeconds.unknownBucket);
    const reply = (await this.deps.redis.eval(
      keyWatchScript,
      4,
      this.keyOf('key-networks', key.keyId),
      this.keyOf('key-traffic', key.keyId),
      this.keyOf('key-unknown', key.keyId, String(bucket)),
      this.keyOf('key-unknown', key.keyId, String(bucket - 1)),
      network,
      String(networksKept),
      String(now),
      String(requests),
      String(carried?.failures ?? 0),
      ...(carried?.unknown ?? []),
    )) as [number, string, string, string, string, string, number];
    const [seen, lastMinute, ratePerMinute, baselinePerMinute, recentRequests, recentFailures, unknown] = reply;
    return [
      Number(seen),
      {
        lastMinute: Number(lastMinute),
        ratePerMinute: Number(ratePerMinute),
        baselinePerMinute: Number(baselinePerMinute),
        recentRequests: Number(recentRequests),
        recentFailures: Number(recentFailures),
        unknownCustomers: Number(unknown) < 0 ? null : Number(unknown),
      },
    ];
  }

  /**
   * The tenant's thresholds over what was measured; each signal once an hour per key. Never fails the
   * request: a signal that cannot be judged is logged.
   */
  private async judge(key: { tenantId: string; keyId: string }, traffic: KeyTraffic, network: string, address: string | null): Promise<void> {
    try {
      const policy = (await this.deps.policies.currentCached(key.tenantId)).document.keyProtection ?? keyProtectionDefaults;
      for (const { signal, measured } of keySignalsOf(policy, traffic)) {
        const memo = `${key.keyId}:${signal}`;
        const now = nowMs(this.deps.clock);
        const until = this.raised.get(memo);
        // A clock moved back (tests, a corrected server clock) forgets the memo rather than trusting it.
        if (until !== undefined && until > now && until - now <= raisedMemoMs) continue;
        if (this.raised.size > 10_000) this.raised.clear();
        this.raised.set(memo, now + raisedMemoMs);
        const suspend = policy.suspendOnStrongSignal && isStrongSignal(signal);
        await this.deps.anomalies.raiseOnce({ ...key, signal, network, address, refused: false, measured, suspend }, 'key');
      }
    } catch (error) {
      this.deps.logger.warn({ err: error, keyId: key.keyId }, 'judging a key\'s traffic failed');
    }
  }

  /** Outcomes no request of their key picked up within a second. */
  private flushStale(): void {
    const staleBefore = performance.now() - flushAfterMs;
    for (const [keyId, carried] of this.carried) if (carried.since <= staleBefore) this.flush(keyId);
  }

  private flush(keyId: string): void {
    const carried = this.carried.get(keyId);
    if (!carried) return;
    const done = this.count({ keyId }, carried.network, 0)
      .then(([, traffic]) => this.judge({ tenantId: carried.tenantId, keyId }, traffic, carried.network, displayAddress(carried.address)))
      .catch((error: unknown) => this.deps.logger.warn({ err: error, keyId }, 'recording a key\'s request outcomes failed'));
    this.flushing.add(done);
    void done.then(() => this.flushing.delete(done));
  }

  private persistLastUse(keyId: string, address: string | undefined, newNetwork: boolean): void {
    const now = nowMs(this.deps.clock);
    const last = this.persistedAt.get(keyId);
    if (!newNetwork && last !== undefined && now - last < lastUsePersistMs) return;
    this.persistedAt.set(keyId, now);
    this.deps.db
      .query('UPDATE api_keys SET last_used_at = $2, last_used_from = $3 WHERE key_id = $1', [keyId, new Date(now), displayAddress(address)])
      .catch((error: unknown) => this.deps.logger.warn({ err: error, keyId }, 'recording the key\'s last use failed'));
  }
}
