// Caches a source's answers in Redis (docs/number-vetting.md: "cached briefly — line type for a day, forwarding for
// minutes"). The two halves of an answer are kept apart with their own TTLs, so a `call` vetting
// re-asks only for forwarding (by default always: see callForwardingMaxAgeSeconds). Keys hold a keyed hash of
// the number, never the number. An unavailable answer (outage, timeout) is never cached; a Redis
// failure degrades to asking the source.
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.ts';
import type { NumberHasher } from './number-hash.ts';
import type { AnswerPart, NumberSource, SourceAnswer, SourceQuery } from './number-source.ts';

export interface CacheTtls {
  /** Line type, validity and country change rarely (number porting): about a day. */
  lineTypeSeconds: number;
  /** Forwarding and SIM swap can change at any time: minutes at most. */
  forwardingSeconds: number;
  /**
   * The oldest cached forwarding answer a `call` vetting may use (capped by forwardingSeconds).
   * 0 by default: the paper's attacker switches forwarding on and then starts the transfer, so a
   * forwarding answer from an earlier vetting — even a minute old — must not clear a call.
   */
  callForwardingMaxAgeSeconds: number;
}

export const defaultCacheTtls: CacheTtls = { lineTypeSeconds: 24 * 3600, forwardingSeconds: 5 * 60, callForwardingMaxAgeSeconds: 0 };

type LineTypePart = Pick<SourceAnswer, 'valid' | 'lineType' | 'country'>;
type ForwardingPart = Pick<SourceAnswer, 'callForwarding' | 'forwardedToSameOwner' | 'simSwap'>;
interface CachedPart<T> {
  value: T;
  errors: string[];
  /** ms since epoch: forwarding older than its TTL is never used, whatever Redis still holds. */
  at: number;
}

const lineTypeOf = ({ valid, lineType, country }: SourceAnswer): LineTypePart => ({ valid, lineType, country });
const forwardingOf = ({ callForwarding, forwardedToSameOwner, simSwap }: SourceAnswer): ForwardingPart => ({
  callForwarding,
  ...(forwardedToSameOwner === undefined ? {} : { forwardedToSameOwner }),
  ...(simSwap === undefined ? {} : { simSwap }),
});

export interface CachedNumberSourceOptions {
  redis: Redis;
  hashNumber: NumberHasher;
  ttls?: CacheTtls;
  logger?: Logger;
  now?: () => number;
  keyPrefix?: string;
}

export class CachedNumberSource implements NumberSource {
  readonly name: NumberSource['name'];
  private readonly ttls: CacheTtls;
  private readonly now: () => number;

  constructor(
    private readonly inner: NumberSource,
    private readonly options: CachedNumberSourceOptions,
  ) {
    this.name = inner.name;
    this.ttls = options.ttls ?? defaultCacheTtls;
    this.now = options.now ?? Date.now;
  }

  /** Per tenant (a tenant's carrier gateway is its own), per source, per part. */
  key(tenantId: string, e164: string, part: AnswerPart): string {
    return `${this.options.keyPrefix ?? 'ni:v1'}:${this.name}:${tenantId}:${part}:${this.options.hashNumber(e164)}`;
  }

  async lookup(query: SourceQuery): Promise<SourceAnswer> {
    const lineTypeKey = this.key(query.tenantId, query.e164, 'lineType');
    const forwardingKey = this.key(query.tenantId, query.e164, 'forwarding');
    const [lineTypeHit, forwardingHit] = await this.read(lineTypeKey, forwardingKey);
    const cachedLineType = query.parts.has('lineType') ? lineTypeHit : undefined;
    const maxAgeSeconds = query.purpose === 'call' ? Math.min(this.ttls.callForwardingMaxAgeSeconds, this.ttls.forwardingSeconds) : this.ttls.forwardingSeconds;
    const cachedForwarding = query.parts.has('forwarding') && forwardingHit && this.now() - forwardingHit.at < maxAgeSeconds * 1000 ? forwardingHit : undefined;
    const missing = new Set([...query.parts].filter((part) => (part === 'lineType' ? !cachedLineType : !cachedForwarding)));
    const cachedParts: AnswerPart[] = [...(cachedLineType ? ['lineType' as const] : []), ...(cachedForwarding ? ['forwarding' as const] : [])];

    let fresh: SourceAnswer | undefined;
    if (missing.size > 0) {
      fresh = await this.inner.lookup({ ...query, parts: missing });
      if (!fresh.unavailable) await this.write(fresh, missing, lineTypeKey, forwardingKey);
    }

    const lineType = cachedLineType?.value ?? (fresh ? lineTypeOf(fresh) : { valid: null, lineType: 'unknown' as const, country: null });
    const forwarding = cachedForwarding?.value ?? (fresh ? forwardingOf(fresh) : { callForwarding: null });
    return {
      source: this.name,
      ...lineType,
      ...forwarding,
      errors: [...(cachedLineType?.errors ?? []), ...(cachedForwarding?.errors ?? []), ...(fresh?.errors ?? [])],
      ...(fresh?.unavailable ? { unavailable: true } : {}),
      ...(cachedParts.length > 0 ? { cachedParts } : {}),
    };
  }

  private async read(lineTypeKey: string, forwardingKey: string): Promise<[CachedPart<LineTypePart>?, CachedPart<ForwardingPart>?]> {
    try {
      const [lineType, forwarding] = await this.options.redis.mget(lineTypeKey, forwardingKey);
      return [lineType ? (JSON.parse(lineType) as CachedPart<LineTypePart>) : undefined, forwarding ? (JSON.parse(forwarding) as CachedPart<ForwardingPart>) : undefined];
    } catch (error) {
      this.options.logger?.warn({ err: error, source: this.name }, 'number intelligence cache unreadable; asking the source');
      return [];
    }
  }

  private async write(answer: SourceAnswer, parts: ReadonlySet<AnswerPart>, lineTypeKey: string, forwardingKey: string): Promise<void> {
    const at = this.now();
    const errorsOf = (prefixes: RegExp) => answer.errors.filter((error) => prefixes.test(error));
    const multi = this.options.redis.multi();
    if (parts.has('lineType')) {
      const part: CachedPart<LineTypePart> = { value: lineTypeOf(answer), errors: errorsOf(/^(line_type|invalid|not_a_number)/), at };
      multi.set(lineTypeKey, JSON.stringify(part), 'EX', this.ttls.lineTypeSeconds);
    }
    if (parts.has('forwarding')) {
      const part: CachedPart<ForwardingPart> = { value: forwardingOf(answer), errors: errorsOf(/^(call_forwarding|sim_swap)/), at };
      multi.set(forwardingKey, JSON.stringify(part), 'EX', this.ttls.forwardingSeconds);
    }
    try {
      await multi.exec();
    } catch (error) {
      this.options.logger?.warn({ err: error, source: this.name }, 'number intelligence cache not written');
    }
  }
}
