// The NumberVetter the ARS channel asks at enrollment and before every call (docs/number-vetting.md): asks every
// applicable source at once (through the cache), combines the answers strictly, audits the vetting.
import type { Redis } from 'ioredis';
import type { Db } from '../../storage/db.ts';
import type { Logger } from '../../observability/logger.ts';
import { newId } from '../../crypto/hashing.ts';
import type { NumberVetter, NumberVetting, NumberVettingInput } from '../../channels/ars/number-vetting.ts';
import { combineVetting } from './combine-vetting.ts';
import { CachedNumberSource, type CacheTtls } from './cached-number-source.ts';
import { CarrierGatewaySource } from './carrier-gateway-source.ts';
import type { CarrierGatewayStore } from './carrier-gateway-store.ts';
import type { NumberHasher } from './number-hash.ts';
import { unknownAnswer, type AnswerPart, type NumberSource, type SourceAnswer, type SourceQuery } from './number-source.ts';
import { appendVettingAudit } from './vetting-audit.ts';

export interface NumberVetterOptions {
  db: Db;
  redis: Redis;
  logger: Logger;
  hashNumber: NumberHasher;
  /** Offline, never cached (it costs nothing). */
  numberingPlan: NumberSource;
  /** Absent when Twilio is not configured. */
  twilioLookup?: NumberSource;
  gateways: CarrierGatewayStore;
  /** The server's ALLOW_LOOPBACK_CALLBACKS (the tenant must allow it too). */
  allowLoopbackCallbacks: boolean;
  ttls?: CacheTtls;
  now?: () => number;
  cacheKeyPrefix?: string;
}

const allParts: ReadonlySet<AnswerPart> = new Set(['lineType', 'forwarding']);

export class IntelligentNumberVetter implements NumberVetter {
  private readonly twilioLookup: NumberSource | undefined;
  private readonly now: () => number;

  constructor(private readonly options: NumberVetterOptions) {
    this.now = options.now ?? Date.now;
    this.twilioLookup = options.twilioLookup ? this.cached(options.twilioLookup) : undefined;
  }

  private cached(source: NumberSource): NumberSource {
    const { redis, hashNumber, ttls, logger, cacheKeyPrefix } = this.options;
    return new CachedNumberSource(source, { redis, hashNumber, logger, now: this.now, ...(ttls ? { ttls } : {}), ...(cacheKeyPrefix ? { keyPrefix: cacheKeyPrefix } : {}) });
  }

  /** The sources that apply to this tenant: the plan, Lookup when configured, the tenant's enabled gateway. */
  private async sources(tenantId: string): Promise<NumberSource[]> {
    const target = await this.options.gateways.target(tenantId, this.options.allowLoopbackCallbacks);
    return [this.options.numberingPlan, ...(this.twilioLookup ? [this.twilioLookup] : []), ...(target ? [this.cached(new CarrierGatewaySource(target))] : [])];
  }

  /** A source that throws is a bug, not a verdict: it counts as unknown and is logged. */
  private async ask(source: NumberSource, query: SourceQuery): Promise<SourceAnswer> {
    try {
      return await source.lookup(query);
    } catch (error) {
      this.options.logger.error({ err: error, source: source.name, requestId: query.requestId }, 'number intelligence source failed');
      return unknownAnswer(source.name, ['internal_error']);
    }
  }

  async vet(input: NumberVettingInput): Promise<NumberVetting> {
    const requestId = newId('nvr');
    const query: SourceQuery = { tenantId: input.tenantId, e164: input.e164, purpose: input.purpose, parts: allParts, requestId };
    const sources = await this.sources(input.tenantId);
    const answers = await Promise.all(sources.map((source) => this.ask(source, query)));
    const verdict = combineVetting({ policy: input.policy, answers, purpose: input.purpose, numberChangedAt: input.numberChangedAt ?? null, now: new Date(this.now()) });
    await this.options.db.tx((tx) =>
      appendVettingAudit(tx, { tenantId: input.tenantId, customerId: input.customerId, e164: input.e164, purpose: input.purpose, requestId, verdict, answers }),
    );
    return {
      eligible: verdict.eligible,
      lineType: verdict.lineType,
      callForwarding: verdict.callForwarding,
      reasons: verdict.reasons,
      country: verdict.country,
      forwardedToSameOwner: verdict.forwardedToSameOwner,
      simSwap: verdict.simSwap,
      sources: answers,
      requestId,
    };
  }
}
