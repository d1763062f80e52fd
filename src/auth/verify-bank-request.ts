// SPEC §3: every /v1 request is signed with RFC 9421 HTTP Message Signatures. Every failure is the
// same 401 to the caller (the reason goes to the log only), so an attacker learns nothing.
import { createHash, createPublicKey, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { httpbis, createVerifier, type VerifyingKey } from 'http-message-signatures';
import type { Redis } from 'ioredis';
import type { TenantStore, ApiKeyRecord } from '../tenants/tenant-store.ts';

export const clockWindowSeconds = 300;
export const nonceTtlSeconds = 600;

export interface BankRequest {
  method: string;
  /** PUBLIC_BASE_URL + path + query: what the client signed as @target-uri. */
  targetUri: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer | undefined;
}

class Rejection extends Error {}

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

export class BankRequestVerifier {
  private readonly keyCache = new Map<string, { key: ApiKeyRecord; material: KeyObject; until: number }>();

  constructor(
    private readonly tenants: TenantStore,
    private readonly redis: Redis,
    private readonly options: { keyCacheMs?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Keys are cached briefly (default 5 s): a revocation takes effect within that time on every process. */
  private async loadKey(keyId: string): Promise<{ key: ApiKeyRecord; material: KeyObject } | null> {
    const cached = this.keyCache.get(keyId);
    if (cached && cached.until > this.now()) return cached;
    const key = await this.tenants.findActiveKey(keyId);
    if (!key) {
      this.keyCache.delete(keyId);
      return null;
    }
    const material = key.alg === 'hmac-sha256' ? createSecretKey(this.tenants.hmacSecret(key)) : createPublicKey(key.publicKeyPem!);
    const entry = { key, material, until: this.now() + (this.options.keyCacheMs ?? 5000) };
    this.keyCache.set(keyId, entry);
    return entry;
  }

  /**
   * Replay protection: true the first time a key's nonce is seen within the nonce TTL. Claim only
   * after the signature checks out, so forgeries cannot burn nonces.
   */
  async claimNonce(keyId: string, nonce: string): Promise<boolean> {
    return (await this.redis.set(`nonce:${keyId}:${nonce}`, '1', 'EX', nonceTtlSeconds, 'NX')) === 'OK';
  }

  /** Everything but the replay check: headers, digest, clock window, key, algorithm, signature. */
  async verifySignature(request: BankRequest): Promise<{ ok: true; tenantId: string; keyId: string; nonce: string } | { ok: false; reason: string }> {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const signatureInput = header('signature-input');
    const signature = header('signature');
    if (!signatureInput || !signature) return { ok: false, reason: 'missing signature headers' };

    const hasBody = request.rawBody !== undefined && request.rawBody.length > 0;
    if (hasBody) {
      const digest = header('content-digest');
      if (!digest) return { ok: false, reason: 'missing content-digest' };
      // RFC 9530 §2: the digest must cover the exact bytes received.
      if (!contentDigestMatches(digest, request.rawBody!)) return { ok: false, reason: 'content-digest mismatch' };
    }

    let matchedKey: { tenantId: string; keyId: string } | undefined;
    let nonce: string | undefined;
    const nowSeconds = Math.floor(this.now() / 1000);
    try {
      const verified = await httpbis.verifyMessage(
        {
          all: true,
          requiredParams: ['created', 'nonce', 'keyid', 'alg'],
          requiredFields: hasBody ? ['@method', '@target-uri', 'content-digest'] : ['@method', '@target-uri'],
          keyLookup: async (params): Promise<VerifyingKey | null> => {
            const keyId = typeof params.keyid === 'string' ? params.keyid : undefined;
            if (!keyId) throw new Rejection('no keyid');
            const created = params.created instanceof Date ? params.created.getTime() / 1000 : NaN;
            // SPEC §3: created within 300 s of server time, in either direction.
            if (!Number.isFinite(created) || Math.abs(nowSeconds - created) > clockWindowSeconds) throw new Rejection('created outside clock window');
            if (typeof params.nonce !== 'string' || params.nonce.length < 8 || params.nonce.length > 128) throw new Rejection('bad nonce');
            const loaded = await this.loadKey(keyId);
            if (!loaded) throw new Rejection('unknown key');
            if (params.alg !== loaded.key.alg) throw new Rejection('alg does not match the key');
            matchedKey = { tenantId: loaded.key.tenantId, keyId };
            nonce = params.nonce;
            return { id: keyId, algs: [loaded.key.alg], verify: createVerifier(loaded.material, loaded.key.alg) };
          },
          // The clock window is enforced above; the library's own created/expires checks stay lenient.
          notAfter: nowSeconds + clockWindowSeconds,
          tolerance: clockWindowSeconds,
        },
        { method: request.method, url: request.targetUri, headers: request.headers as Record<string, string> },
      );
      if (verified !== true || !matchedKey || !nonce) return { ok: false, reason: 'bad signature' };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : 'signature error' };
    }

    return { ok: true, ...matchedKey, nonce };
  }
}
