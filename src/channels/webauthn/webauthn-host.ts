// What the WebAuthn module needs from the application (a narrow host, not the whole context).
import type { ChallengeOutcomes } from '../channel.ts';
import type { WebAuthnConfig } from './webauthn-config.ts';
import type { EventDispatcher } from '../../events/event-outbox.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Db } from '../../storage/db.ts';
import type { PolicyStore } from '../../tenants/policy-store.ts';
import type { TenantStore } from '../../tenants/tenant-store.ts';
import { ProblemError } from '../../errors/problem.ts';
import type { Clock } from '../../time/clock.ts';
import type { ChallengeRecord } from '../../challenges/challenge-record.ts';

export interface WebAuthnHost {
  db: Db;
  tenants: TenantStore;
  policies: PolicyStore;
  challenges: ChallengeOutcomes;
  events: EventDispatcher;
  logger: Logger;
  publicBaseUrl: string;
  webauthn: WebAuthnConfig;
  /** Now, for link and page lifetimes (the application's injectable clock). */
  clock: Clock;
  /** The customer's stop page of a challenge whose transfer is held and can still be stopped; null otherwise (docs/holds.md). */
  holdStopUrl(record: ChallengeRecord): string | null;
}

export type RelyingParty = { rpId: string; origins: string[] };

/** The relying party, or 503 saying why passkeys are off (PUBLIC_BASE_URL on an IP address). */
export function relyingParty(host: WebAuthnHost): RelyingParty {
  if ('unavailable' in host.webauthn) throw new ProblemError('service_unavailable', `Passkeys are not available: ${host.webauthn.unavailable}`);
  return host.webauthn;
}
