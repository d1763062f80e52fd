// The factory the composition root calls (src/server/ars-telephony.ts): `createNumberIntelligence(context)`
// → the vetter and call caps.
// Takes only what it needs from the AppContext (structurally), so tests can pass their own parts.
import type { Redis } from 'ioredis';
import type twilio from 'twilio';
import type { Config } from '../../config/config.ts';
import type { Envelope } from '../../crypto/envelope.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Db } from '../../storage/db.ts';
import type { CallCaps, NumberVetter } from '../../channels/ars/number-vetting.ts';
import { createTwilioClient } from '../twilio-client.ts';
import type { CacheTtls } from './cached-number-source.ts';
import { CarrierGatewayStore } from './carrier-gateway-store.ts';
import { createNumberHasher } from './number-hash.ts';
import { IntelligentNumberVetter } from './number-vetter.ts';
import { NumberingPlanSource } from './numbering-plan-source.ts';
import { RedisCallCaps } from './redis-call-caps.ts';
import { TwilioLookupSource } from './twilio-lookup-source.ts';

/** A Lookup that takes longer than this is unknown: the challenge is waiting on it. */
export const lookupTimeoutMs = 5000;

export interface NumberIntelligenceDeps {
  db: Db;
  redis: Redis;
  envelope: Envelope;
  logger: Logger;
  config: Pick<Config, 'masterKeys' | 'twilio' | 'allowLoopbackCallbacks'>;
  /** Overrides the Lookup client built from config.twilio (tests); null: no Lookup source. */
  twilioClient?: Pick<twilio.Twilio, 'lookups'> | null;
  ttls?: CacheTtls;
  now?: () => number;
  /** Redis key prefixes (tests isolate runs with them). */
  keyPrefixes?: { cache?: string; caps?: string };
}

export interface NumberIntelligence {
  vetter: NumberVetter;
  caps: CallCaps;
  gateways: CarrierGatewayStore;
}

export function createNumberIntelligence(deps: NumberIntelligenceDeps): NumberIntelligence {
  const hashNumber = createNumberHasher(deps.config.masterKeys.current.key);
  const twilioConfig = deps.config.twilio;
  const lookupClient =
    deps.twilioClient !== undefined
      ? deps.twilioClient
      : twilioConfig
        ? createTwilioClient({ accountSid: twilioConfig.accountSid, authToken: twilioConfig.authToken, apiBaseUrl: twilioConfig.apiBaseUrl, timeoutMs: lookupTimeoutMs })
        : null;
  const gateways = new CarrierGatewayStore(deps.db, deps.envelope);
  const vetter = new IntelligentNumberVetter({
    db: deps.db,
    redis: deps.redis,
    logger: deps.logger,
    hashNumber,
    numberingPlan: new NumberingPlanSource(),
    ...(lookupClient ? { twilioLookup: new TwilioLookupSource(lookupClient) } : {}),
    gateways,
    allowLoopbackCallbacks: deps.config.allowLoopbackCallbacks,
    ...(deps.ttls ? { ttls: deps.ttls } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.keyPrefixes?.cache ? { cacheKeyPrefix: deps.keyPrefixes.cache } : {}),
  });
  const caps = new RedisCallCaps({ redis: deps.redis, hashNumber, ...(deps.now ? { now: deps.now } : {}), ...(deps.keyPrefixes?.caps ? { keyPrefix: deps.keyPrefixes.caps } : {}) });
  return { vetter, caps, gateways };
}
