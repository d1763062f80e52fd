// What stepup learns from each verified bank request, in the Redis round trip the nonce claim already
// makes (docs/security.md "Key protections"): the networks (/24, /64) a key is used from, so its first
// use from a new one is signalled once; and its last use (time and address) for admins, written to the
// database at most once a minute per key and process, and at once from a new network.
import type { Redis } from 'ioredis';
import type { Db } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { KeyAnomalies } from '../security/key-anomalies.ts';
import type { RefusedKeyUse } from './verify-bank-request.ts';
import { displayAddress, usageNetworkOf } from './key-networks.ts';
import { nowMs, type Clock } from '../time/clock.ts';

/**
 * SADD the network; 0: known, 1: the key's first network ever (its baseline, no signal), 2: a new one.
 * A key seen from more than ARGV[2] networks keeps signalling but stops remembering (bounded memory).
 */
const seeNetworkScript = `
local added = redis.call('SADD', KEYS[1], ARGV[1])
if added == 0 then return 0 end
local count = redis.call('SCARD', KEYS[1])
if count > tonumber(ARGV[2]) then redis.call('SREM', KEYS[1], ARGV[1]) end
if count == 1 then return 1 end
return 2`;

/** Networks remembered per key. */
const networksKept = 10_000;
/** How often a key's last use is written to the database, per process. */
export const lastUsePersistMs = 60_000;

export class KeyUsage {
  private readonly persistedAt = new Map<string, number>();

  constructor(private readonly deps: { db: Db; redis: Redis; keyPrefix: string; anomalies: KeyAnomalies; logger: Logger; clock: Clock }) {}

  /** One verified request of `key` from `address` (TRUST_PROXY applied). */
  async observe(key: { tenantId: string; keyId: string }, address: string | undefined): Promise<void> {
    const network = usageNetworkOf(address);
    const seen = Number(await this.deps.redis.eval(seeNetworkScript, 1, `${this.deps.keyPrefix}:key-networks:${key.keyId}`, network, String(networksKept)));
    this.persistLastUse(key.keyId, address, seen !== 0);
    if (seen === 2) await this.deps.anomalies.raise({ ...key, signal: 'new_network', network, address: displayAddress(address), refused: false });
  }

  /** A correctly signed request the key's protections refused: signalled once per network and hour. */
  async refused(refusal: RefusedKeyUse, address: string | undefined): Promise<void> {
    const { tenantId, keyId, signal } = refusal;
    await this.deps.anomalies.raiseOnce({ tenantId, keyId, signal, network: usageNetworkOf(address), address: displayAddress(address), refused: true });
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
