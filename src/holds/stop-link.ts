// The customer's stop page link (docs/holds.md, "Stopping"): /c/hold/<challenge id>/<token>, where the
// token is an HMAC of the tenant and the challenge under a key derived from MASTER_KEY. Nothing stores
// it — not even hashed: the page recomputes and compares it in constant time, and GET /v1/challenges/{id}
// recomputes it for `hold.stopUrl`. Events and idempotent replays (stored) therefore never carry it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MasterKeys } from '../crypto/envelope.ts';

/** The shape of a token in a path; anything else is 404 without a database read. */
export const stopTokenPattern = /^[A-Za-z0-9_-]{43}$/;

/** The page answers until a day after the release time, then 404 (as the passkey pages' retention). */
export const stopPageRetentionMs = 24 * 3600_000;

export const stopPagePath = '/c/hold';

export class StopLinks {
  private readonly keys: Buffer[];

  constructor(
    masterKeys: MasterKeys,
    private readonly publicBaseUrl: string,
  ) {
    // One link key per master key: a link issued before a key rotation keeps working.
    this.keys = [masterKeys.current, ...masterKeys.previous].map(({ key }) => createHmac('sha256', key).update('stepup hold stop-link key v1').digest());
  }

  private token(key: Buffer, tenantId: string, challengeId: string): Buffer {
    return createHmac('sha256', key).update(`${tenantId}|${challengeId}`).digest();
  }

  url(tenantId: string, challengeId: string): string {
    return `${this.publicBaseUrl}${stopPagePath}/${challengeId}/${this.token(this.keys[0]!, tenantId, challengeId).toString('base64url')}`;
  }

  /** True when `token` is this challenge's link token under the current or a previous master key. */
  matches(tenantId: string, challengeId: string, token: string): boolean {
    if (!stopTokenPattern.test(token)) return false;
    const given = Buffer.from(token, 'base64url');
    return this.keys.some((key) => timingSafeEqual(given, this.token(key, tenantId, challengeId)));
  }
}
