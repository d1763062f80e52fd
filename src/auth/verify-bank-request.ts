// docs/signing-requests.md: every /v1 request is signed with RFC 9421 HTTP Message Signatures. Every failure is the
// same 401 to the caller (the reason goes to the log only), so an attacker learns nothing.
import { createHash, createPublicKey, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { httpbis, createVerifier, type VerifyingKey } from 'http-message-signatures';
import type { Redis } from 'ioredis';
import type { TenantStore, ApiKeyRecord } from '../tenants/tenant-store.ts';
import { TtlCache } from '../storage/ttl-cache.ts';
import { parseSingleSignature } from './parse-single-signature.ts';
import { headerText } from '../http/answer-text.ts';
import { addressInNetworks, parseNetworks, type Network } from './key-networks.ts';

/** docs/signing-requests.md: `created` within 300 s of stepup's clock, either direction, to the millisecond. */
export const clockWindowSeconds = 300;
/**
 * How long a nonce is remembered (docs/signing-requests.md). A signature is acceptable while stepup's
 * clock is within ±300 s of its `created`: from created - 300 to created + 300, 600 s in all. Its
 * first use may be at the very start of that span, so a replay can be acceptable up to 600 s after the
 * first use; the nonce must outlive that. The 60 s beyond cover the clocks of stepup's processes (and
 * Redis, which counts the TTL) disagreeing by up to a minute.
 */
export const nonceTtlSeconds = 2 * clockWindowSeconds + 60;
/** `expires` is honoured exactly, but for this much clock skew between NTP-synchronised hosts. */
export const expiresSkewSeconds = 5;

export interface BankRequest {
  method: string;
  /** PUBLIC_BASE_URL + path + query: what the client signed as @target-uri. */
  targetUri: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer | undefined;
  /** The client's address (TRUST_PROXY applied), for the key's allowedNetworks. */
  clientAddress?: string | undefined;
}

/** A correctly signed request the key's protections refuse: 401 like any other, and a security signal. */
export interface RefusedKeyUse {
  tenantId: string;
  keyId: string;
  signal: 'outside_allowed_networks' | 'expired_key_used' | 'suspended_key_used';
}

/** RFC 9530 Content-Digest: `sha-256=:<base64>:` (sha-512 accepted too). */
export function contentDigestMatches(header: string, body: Buffer): boolean {
  const entries = header.split(',').map((part) => part.trim());
  let checked = false;
  for (const entry of entries) {
    const match = /^(sha-256|sha-512)=:([A-Za-z0-9+/=]+):$/.exec(entry);
    if (!match) continue;
    const expected = createHash(match[1] === 'sha-256' ? 'sha256' : 'sha512').update(body).digest();
    const given = Buffer.from(match[2]!, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    checked = true;
  }
  return checked;
}

export interface BankRequestVerifierOptions {
  /** How long a found key is cached per process (API_KEY_CACHE_MS). */
  keyCacheMs?: number;
  /** How long an unknown or revoked key id is remembered as such (API_KEY_MISS_CACHE_MS). */
  keyMissCacheMs?: number;
  /** The clock of the signature windows and the key cache (tests inject one). */
  clock?: () => Date;
}

interface LoadedKey {
  key: ApiKeyRecord;
  material: KeyObject;
  /** Parsed allowedNetworks; null: anywhere. */
  networks: Network[] | null;
}

export class BankRequestVerifier {
  /**
   * Key lookups, hits and misses alike: misses are kept briefly so a flood of unknown key ids does not
   * reach the database on every request; revocations evict at once (key-revocation-bus.ts), and the
   * TTLs bound staleness if a message is ever lost. Unknown ids are attacker-chosen: the map is bounded.
   */
  private readonly keys: TtlCache<LoadedKey | null>;

  constructor(
    private readonly tenants: TenantStore,
    private readonly redis: Redis,
    private readonly options: BankRequestVerifierOptions = {},
  ) {
    const hitTtlMs = options.keyCacheMs ?? 5000;
    const missTtlMs = options.keyMissCacheMs ?? 2000;
    this.keys = new TtlCache<LoadedKey | null>({ ttlMs: (key) => (key === null ? missTtlMs : hitTtlMs), maxEntries: 10_000, now: () => this.now() });
  }

  private now(): number {
    return this.options.clock?.().getTime() ?? Date.now();
  }

  private loadKey(keyId: string, beforeLookup?: () => Promise<void>): Promise<LoadedKey | null> {
    return this.keys.get(
      keyId,
      async (id) => {
        const key = await this.tenants.findActiveKey(id);
        if (!key) return null;
        const material = key.alg === 'hmac-sha256' ? createSecretKey(this.tenants.hmacSecret(key)) : createPublicKey(key.publicKeyPem!);
        return { key, material, networks: key.allowedNetworks ? parseNetworks(key.allowedNetworks) : null };
      },
      beforeLookup,
    );
  }

  /** A revoked key: dropped from this process's cache (the revocation bus calls this on every process). */
  forgetKey(keyId: string): void {
    this.keys.delete(keyId);
  }

  /** Revocation messages may have been missed: drop every cached key. */
  forgetAllKeys(): void {
    this.keys.clear();
  }

  /**
   * Replay protection: true the first time a key's nonce is seen within the nonce TTL. Claim only
   * after the signature checks out, so forgeries cannot burn nonces.
   */
  async claimNonce(keyId: string, nonce: string): Promise<boolean> {
    return (await this.redis.set(`nonce:${keyId}:${nonce}`, '1', 'EX', nonceTtlSeconds, 'NX')) === 'OK';
  }

  /**
   * Everything but the replay check: one signature label, headers, digest, clock window, key,
   * algorithm, signature. The tenant is taken from the one key whose signature was verified.
   * `beforeKeyLookup` runs only when the key id is not in this process's cache, before the database
   * is asked (the failed-authentication throttle: a throttled address never causes a key lookup).
   */
  async verifySignature(
    request: BankRequest,
    options: { beforeKeyLookup?: () => Promise<void> } = {},
  ): Promise<{ ok: true; tenantId: string; keyId: string; nonce: string } | { ok: false; reason: string; refused?: RefusedKeyUse }> {
    const header = (name: string) => headerText(request.headers, name);
    const signatureInput = header('signature-input');
    const signature = header('signature');
    if (!signatureInput || !signature) return { ok: false, reason: 'missing signature headers' };

    // Exactly one label, present in both headers, with every parameter we require.
    const parsed = parseSingleSignature(signatureInput, signature);
    if (!parsed.ok) return parsed;
    const { keyId, alg, created, expires, nonce } = parsed.signature;
    const nowMs = this.now();
    // docs/signing-requests.md: created within 300 s of server time, in either direction, to the
    // millisecond (whole seconds would keep the window open for 300.999 s, past the nonce's life).
    if (Math.abs(nowMs - created * 1000) > clockWindowSeconds * 1000) return { ok: false, reason: 'created outside clock window' };
    // RFC 9421 §2.3: past `expires` the signature is refused; only the documented skew is allowed.
    if (expires !== undefined && nowMs > (expires + expiresSkewSeconds) * 1000) return { ok: false, reason: 'signature expired' };

    const hasBody = request.rawBody !== undefined && request.rawBody.length > 0;
    if (hasBody) {
      const digest = header('content-digest');
      if (!digest) return { ok: false, reason: 'missing content-digest' };
      // RFC 9530 §2: the digest must cover the exact bytes received.
      if (!contentDigestMatches(digest, request.rawBody!)) return { ok: false, reason: 'content-digest mismatch' };
    }

    const loaded = await this.loadKey(keyId, options.beforeKeyLookup);
    if (!loaded) return { ok: false, reason: 'unknown key' };
    if (alg !== loaded.key.alg) return { ok: false, reason: 'alg does not match the key' };
    const verifyingKey: VerifyingKey = { id: keyId, algs: [loaded.key.alg], verify: createVerifier(loaded.material, loaded.key.alg) };

    try {
      const verified = await httpbis.verifyMessage(
        {
          all: true,
          requiredParams: ['created', 'nonce', 'keyid', 'alg'],
          requiredFields: hasBody ? ['@method', '@target-uri', 'content-digest'] : ['@method', '@target-uri'],
          // Only the key already loaded for the one label; anything else is refused.
          keyLookup: async (params) => (params.keyid === keyId ? verifyingKey : null),
          // The time checks are the ones above, on stepup's (injectable) clock; the library's own
          // created/expires checks, on the system clock, are switched off.
          tolerance: Number.MAX_SAFE_INTEGER,
        },
        { method: request.method, url: request.targetUri, headers: request.headers as Record<string, string | string[]> },
      );
      if (verified !== true) return { ok: false, reason: 'bad signature' };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : 'signature error' };
    }

    // The key's protections, only once the signature proves the caller holds the key: nobody without
    // it can make stepup raise a signal about it.
    const refused = (signal: RefusedKeyUse['signal'], reason: string) => ({ ok: false as const, reason, refused: { tenantId: loaded.key.tenantId, keyId, signal } });
    if (loaded.key.suspendedAt) return refused('suspended_key_used', 'key suspended');
    if (loaded.key.expiresAt && nowMs >= loaded.key.expiresAt.getTime()) return refused('expired_key_used', 'key expired');
    if (loaded.networks && !addressInNetworks(request.clientAddress, loaded.networks)) return refused('outside_allowed_networks', 'client address outside the key\'s allowed networks');

    return { ok: true, tenantId: loaded.key.tenantId, keyId, nonce };
  }
}
