// An admin token used from a network it was never used from (docs/security.md "Admin tokens and console
// sessions"). Each token's networks (/24 IPv4, /64 IPv6, the client address as TRUST_PROXY decides it)
// are remembered in Redis; the first one is the token's baseline, and its first use from any other is
// counted (`stepup_admin_new_network_total{scope}`), logged at warn, audited (`security.admin_new_network`,
// subject the token id) and, for a token scoped to a tenant, sent to the tenant's callback URL as a
// signed event. Once per token and network across every process: SADD says which request was first.
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import type { Db } from '../storage/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { TenantStore } from '../tenants/tenant-store.ts';
import type { EventDispatcher } from '../events/event-outbox.ts';
import type { AdminPrincipal } from '../http/route.ts';
import { recordEvent } from '../events/event-outbox.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { displayAddress, rememberNetworkScript, usageNetworkOf } from '../auth/key-networks.ts';
import type { Clock } from '../time/clock.ts';

/** How the token came: a Bearer header on the admin API, or the console (sign-in or its session). */
export type AdminAccessPath = 'api' | 'console';


/** Networks remembered per token in Redis (bounded memory; past it, every further network signals). */
const networksKept = 1000;
/** Token and network pairs this process knows are not new: an admin's requests skip the round trip. */
const knownKept = 10_000;

export class AdminTokenNetworks {
  private readonly counter: Counter<string>;
  private readonly known = new Set<string>();

  constructor(
    private readonly deps: { db: Db; redis: Redis; keyPrefix: string; tenants: TenantStore; events: EventDispatcher; logger: Logger; registry: Registry; clock: Clock },
  ) {
    this.counter =
      (deps.registry.getSingleMetric('stepup_admin_new_network_total') as Counter<string> | undefined) ??
      new Counter({
        name: 'stepup_admin_new_network_total',
        help: 'Admin tokens used from a network they were never used from, by token scope (tenant or global)',
        labelNames: ['scope'],
        registers: [deps.registry],
      });
  }

  /**
   * One authenticated admin request (or console sign-in) of `principal` from `address`. Failures are
   * logged, never thrown at the request: the signal must not lock admins out when Redis stumbles.
   */
  async observe(principal: AdminPrincipal, address: string | undefined, via: AdminAccessPath): Promise<void> {
    const network = usageNetworkOf(address);
    if (network === 'unknown') return;
    const pair = `${principal.tokenId}|${network}`;
    if (this.known.has(pair)) return;
    try {
      const key = `${this.deps.keyPrefix}:admin-token-networks:${principal.tokenId}`;
      const seen = Number(await this.deps.redis.eval(rememberNetworkScript, 1, key, network, String(networksKept)));
      if (this.known.size >= knownKept) this.known.clear();
      this.known.add(pair);
      if (seen === 2) await this.raise(principal, network, displayAddress(address), via);
    } catch (error) {
      this.deps.logger.error({ err: error, tokenId: principal.tokenId }, "recording an admin token's network failed");
    }
  }

  private async raise(principal: AdminPrincipal, network: string, address: string | null, via: AdminAccessPath): Promise<void> {
    const { db, tenants, events, logger, clock } = this.deps;
    const { tokenId, actor, role, tenantId } = principal;
    this.counter.inc({ scope: tenantId ? 'tenant' : 'global' });
    // The token's id and name (the actor), never the token.
    logger.warn({ tokenId, actor, tenantId, network, via }, 'admin token used from a new network');
    const data = { tokenId, actor, role, signal: 'admin_new_network', network, address, via, observedAt: clock().toISOString() };
    const url = tenantId ? await tenants.getCached(tenantId).then((tenant) => tenant?.securityCallbackUrl ?? tenant?.defaultCallbackUrl) : undefined;
    const deliveryId = await db.tx(async (tx) => {
      await appendAudit(tx, { tenantId, actor: 'system:admin-watch', action: 'security.admin_new_network', subject: tokenId, data });
      return tenantId && url ? recordEvent(tx, { tenantId, challengeId: tokenId, type: 'security.admin_new_network', url, payload: data }) : null;
    });
    if (tenantId && deliveryId) await events.dispatch({ tenantId, deliveryId }).catch((error: unknown) => logger.warn({ err: error }, 'event dispatch deferred to the sweeper'));
  }
}
