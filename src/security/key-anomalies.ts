// A bank key used where or how it should not be (docs/security.md "Key protections"): each signal is
// counted (`stepup_key_anomalies_total{signal}`), audited (`security.key_anomaly`, subject the key id)
// and sent to the tenant's security callback URL (else its callback URL) as a signed
// `security.key_anomaly` event, written in one transaction — with the key's suspension when a strong
// signal suspends it. Signals are raised once per key, signal and network (per key alone for the
// behavioural ones) and window (`raiseOnce`), so a flood of requests is one event, not thousands.
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import type { Db } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { TenantStore } from '../tenants/tenant-store.ts';
import type { EventDispatcher } from '../events/event-outbox.ts';
import { recordEvent } from '../events/event-outbox.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { nowMs, type Clock } from '../time/clock.ts';
import type { BehaviouralSignal } from './key-signals.ts';

export type KeySignal =
  /** A correctly signed request from outside the key's `allowedNetworks` (refused, 401). */
  | 'outside_allowed_networks'
  /** A correctly signed request with a key past its `expiresAt` (refused, 401). */
  | 'expired_key_used'
  /** The key's first use from a /24 (IPv4) or /64 (IPv6) it was never used from (answered). */
  | 'new_network'
  /** A correctly signed request with a suspended key (refused, 401). */
  | 'suspended_key_used'
  /** What the key's own traffic did (key-signals.ts): answered, unless the signal suspends the key. */
  | BehaviouralSignal;

export interface KeyAnomaly {
  tenantId: string;
  keyId: string;
  signal: KeySignal;
  /** The client address's /24 or /64. */
  network: string;
  /** The client address itself (the bank's own gateway, or the thief's). */
  address: string | null;
  /** Whether the request was refused. */
  refused: boolean;
  /** A behavioural signal's measurements against its thresholds (sent with the event). */
  measured?: Record<string, number>;
  /** Suspend the key with this signal (a strong signal under `keyProtection.suspendOnStrongSignal`). */
  suspend?: boolean;
}

/** A refused-request signal is raised at most once per key, signal and network in this window. */
export const refusedSignalWindowSeconds = 3600;

/**
 * Claims the window of KEYS[1] at ARGV[1] (ms by stepup's clock) unless it was claimed less than
 * ARGV[2] ms before by the same clock; 1 when claimed. The window is measured on the injectable clock,
 * not by the key's Redis TTL, which only forgets a claim after twice the window of real time.
 */
const claimWindowScript = `
local last = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[1])
if last and now - tonumber(last) < tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', 2 * tonumber(ARGV[2]))
return 1`;

export class KeyAnomalies {
  private readonly counter: Counter<string>;

  constructor(
    private readonly deps: { db: Db; redis: Redis; keyPrefix: string; tenants: TenantStore; events: EventDispatcher; logger: Logger; registry: Registry; clock: Clock },
  ) {
    this.counter =
      (deps.registry.getSingleMetric('stepup_key_anomalies_total') as Counter<string> | undefined) ??
      new Counter({ name: 'stepup_key_anomalies_total', help: 'Signals that a bank API key is used where or how it should not be, by signal', labelNames: ['signal'], registers: [deps.registry] });
  }

  /**
   * Raises `anomaly` unless it was raised for this key, signal and scope within the window: the network
   * for signals about where a key is used from, `key` for what its traffic as a whole did.
   */
  async raiseOnce(anomaly: KeyAnomaly, scope: string = anomaly.network): Promise<void> {
    const key = `${this.deps.keyPrefix}:key-anomaly:${anomaly.keyId}:${anomaly.signal}:${scope}`;
    const claimed = await this.deps.redis.eval(claimWindowScript, 1, key, nowMs(this.deps.clock), refusedSignalWindowSeconds * 1000);
    if (claimed === 1) await this.raise(anomaly);
  }

  /** Counts, audits and sends `anomaly`; failures are logged, never thrown at the request. */
  async raise(anomaly: KeyAnomaly): Promise<void> {
    const { db, tenants, events, logger, clock } = this.deps;
    this.counter.inc({ signal: anomaly.signal });
    logger.warn({ keyId: anomaly.keyId, tenantId: anomaly.tenantId, signal: anomaly.signal, network: anomaly.network }, 'API key anomaly');
    try {
      const tenant = await tenants.getCached(anomaly.tenantId);
      const observedAt = clock().toISOString();
      const { tenantId, keyId } = anomaly;
      const { deliveryId, suspended } = await db.tx(async (tx) => {
        const suspended = anomaly.suspend === true && (await tenants.suspendKey(tx, tenantId, keyId, anomaly.signal));
        if (suspended) await appendAudit(tx, { tenantId, actor: 'system:key-watch', action: 'key.suspended', subject: keyId, data: { keyId, signal: anomaly.signal } });
        // The behavioural signals carry what was measured and whether the key is now suspended.
        const behavioural = anomaly.measured ? { measured: anomaly.measured, keySuspended: suspended } : {};
        const data = { keyId, signal: anomaly.signal, network: anomaly.network, address: anomaly.address, refused: anomaly.refused, observedAt, ...behavioural };
        await appendAudit(tx, { tenantId, actor: 'system:key-watch', action: 'security.key_anomaly', subject: keyId, data });
        const url = tenant?.securityCallbackUrl ?? tenant?.defaultCallbackUrl;
        return { suspended, deliveryId: url ? await recordEvent(tx, { tenantId, challengeId: keyId, type: 'security.key_anomaly', url, payload: data }) : null };
      });
      // Every API process refuses the key from its next request, as after a revocation.
      if (suspended) await tenants.announceKeyRevoked(keyId);
      if (deliveryId) await events.dispatch({ tenantId, deliveryId }).catch((error: unknown) => logger.warn({ err: error }, 'event dispatch deferred to the sweeper'));
    } catch (error) {
      logger.error({ err: error, keyId: anomaly.keyId, signal: anomaly.signal }, 'recording an API key anomaly failed');
    }
  }
}
