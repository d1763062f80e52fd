// Tenants and their API keys. Secrets are envelope-encrypted; a key is found by its id only.
import { randomBytes, createPublicKey } from 'node:crypto';
import type { Db, Queryable } from '../storage/db.ts';
import type { Envelope } from '../crypto/envelope.ts';
import { newId } from '../crypto/hashing.ts';
import { ProblemError } from '../errors/problem.ts';
import type { BankNames } from './bank-name.ts';
import { TtlCache } from '../storage/ttl-cache.ts';
import { nowMs, systemClock, type Clock } from '../time/clock.ts';
import { policyApprovalForNewTenants, policyApprovalOff, type PolicyApproval } from '../policy-approval/policy-approval-setting.ts';

export interface Tenant {
  id: string;
  name: string;
  bankName: string;
  /** The bank's name per locale ("en-US": "Stepup Bank"); a locale without one uses bankName. */
  bankNames: BankNames;
  defaultCallbackUrl: string | null;
  /** Where `security.key_anomaly` events go instead of defaultCallbackUrl (docs/events.md); null: there. */
  securityCallbackUrl: string | null;
  allowLoopbackCallbacks: boolean;
  /** Maker-checker for policy changes (docs/admin-api.md "Maker-checker"). */
  policyApproval: PolicyApproval;
  createdAt: Date;
}

export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  alg: 'hmac-sha256' | 'ed25519';
  secretEnc: string | null;
  publicKeyPem: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  /** Canonical CIDRs the key may be used from; null: anywhere (docs/security.md "Key protections"). */
  allowedNetworks: string[] | null;
  /** Refused from this time on; null: no end. */
  expiresAt: Date | null;
  /** To the minute (written at most once a minute per process, and at once from a new network). */
  lastUsedAt: Date | null;
  lastUsedFrom: string | null;
  /** Refused like a revoked key from this time until an admin restores it; null: not suspended. */
  suspendedAt: Date | null;
  /** The signal that suspended it (`rate_spike`, `customer_enumeration`) or `admin`. */
  suspendedBy: string | null;
}

/** Where and until when a key may be used; undefined leaves a setting as it is, null clears it. */
export interface KeyProtections {
  allowedNetworks?: string[] | null;
  expiresAt?: Date | null;
  /** false restores a suspended key; true suspends it (by an admin). */
  suspended?: boolean;
}

interface TenantRow {
  id: string;
  name: string;
  bank_name: string;
  bank_names: BankNames | string | null;
  default_callback_url: string | null;
  security_callback_url: string | null;
  allow_loopback_callbacks: boolean;
  policy_approval: PolicyApproval | null;
  created_at: Date;
}

const toTenant = (row: TenantRow): Tenant => ({
  id: row.id,
  name: row.name,
  bankName: row.bank_name,
  // PGlite and node-postgres both parse jsonb; a string only comes from a driver that does not.
  bankNames: typeof row.bank_names === 'string' ? (JSON.parse(row.bank_names) as BankNames) : (row.bank_names ?? {}),
  defaultCallbackUrl: row.default_callback_url,
  securityCallbackUrl: row.security_callback_url ?? null,
  allowLoopbackCallbacks: row.allow_loopback_callbacks,
  policyApproval: row.policy_approval ?? policyApprovalOff,
  createdAt: row.created_at,
});

const keyContext = (keyId: string) => `api-key:${keyId}`;
const webhookContext = (tenantId: string) => `webhook-secret:${tenantId}`;

export class TenantStore {
  constructor(
    private readonly db: Db,
    private readonly envelope: Envelope,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(
    tx: Queryable,
    input: { name: string; bankName?: string; bankNames?: BankNames; defaultCallbackUrl?: string | null; securityCallbackUrl?: string | null; allowLoopbackCallbacks?: boolean; policyApproval?: PolicyApproval },
  ): Promise<{ tenant: Tenant; webhookSecret: string }> {
    const id = newId('ten', 12);
    // Standard Webhooks secrets are `whsec_` + base64 of 24–64 random bytes.
    const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const result = await tx.query<TenantRow>(
      `INSERT INTO tenants (id, name, bank_name, bank_names, webhook_secret_enc, default_callback_url, allow_loopback_callbacks, policy_approval, security_callback_url)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8::jsonb, $9) RETURNING *`,
      [
        id,
        input.name,
        input.bankName ?? input.name,
        JSON.stringify(input.bankNames ?? {}),
        this.envelope.encrypt(webhookSecret, webhookContext(id)),
        input.defaultCallbackUrl ?? null,
        input.allowLoopbackCallbacks ?? false,
        // Maker-checker is on for new tenants unless their creator says otherwise.
        JSON.stringify(input.policyApproval ?? policyApprovalForNewTenants),
        input.securityCallbackUrl ?? null,
      ],
    );
    return { tenant: toTenant(result.rows[0]!), webhookSecret };
  }

  async update(
    tx: Queryable,
    tenantId: string,
    changes: { name?: string; bankName?: string; bankNames?: BankNames; defaultCallbackUrl?: string | null; securityCallbackUrl?: string | null; allowLoopbackCallbacks?: boolean; policyApproval?: PolicyApproval },
  ): Promise<Tenant | null> {
    const result = await tx.query<TenantRow>(
      `UPDATE tenants SET
         name = COALESCE($2, name),
         bank_name = COALESCE($3, bank_name),
         default_callback_url = CASE WHEN $4::boolean THEN $5 ELSE default_callback_url END,
         allow_loopback_callbacks = COALESCE($6, allow_loopback_callbacks),
         bank_names = COALESCE($7::jsonb, bank_names),
         policy_approval = COALESCE($8::jsonb, policy_approval),
         security_callback_url = CASE WHEN $9::boolean THEN $10 ELSE security_callback_url END
       WHERE id = $1 RETURNING *`,
      [
        tenantId,
        changes.name ?? null,
        changes.bankName ?? null,
        changes.defaultCallbackUrl !== undefined,
        changes.defaultCallbackUrl ?? null,
        changes.allowLoopbackCallbacks ?? null,
        changes.bankNames === undefined ? null : JSON.stringify(changes.bankNames),
        changes.policyApproval === undefined ? null : JSON.stringify(changes.policyApproval),
        changes.securityCallbackUrl !== undefined,
        changes.securityCallbackUrl ?? null,
      ],
    );
    return result.rows[0] ? toTenant(result.rows[0]) : null;
  }

  /** Found tenants for 5 s; an unknown id is not remembered. */
  private readonly cache = new TtlCache<Tenant | null>({ ttlMs: (tenant) => (tenant ? 5000 : 0), now: () => nowMs(this.clock) });

  /** For hot paths: a tenant change reaches every process within 5 s. */
  getCached(tenantId: string): Promise<Tenant | null> {
    return this.cache.get(tenantId, (id) => this.get(id));
  }

  async get(tenantId: string, q: Queryable = this.db): Promise<Tenant | null> {
    const result = await q.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [tenantId]);
    return result.rows[0] ? toTenant(result.rows[0]) : null;
  }

  async list(): Promise<Tenant[]> {
    const result = await this.db.query<TenantRow>('SELECT * FROM tenants ORDER BY created_at, id');
    return result.rows.map(toTenant);
  }

  async webhookSecret(tenantId: string): Promise<string> {
    const result = await this.db.query<{ webhook_secret_enc: string }>('SELECT webhook_secret_enc FROM tenants WHERE id = $1', [tenantId]);
    const row = result.rows[0];
    if (!row) throw new Error(`tenant ${tenantId} vanished`);
    return this.envelope.decryptText(row.webhook_secret_enc, webhookContext(tenantId));
  }

  async rotateWebhookSecret(tx: Queryable, tenantId: string): Promise<string> {
    const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
    await tx.query('UPDATE tenants SET webhook_secret_enc = $2 WHERE id = $1', [tenantId, this.envelope.encrypt(webhookSecret, webhookContext(tenantId))]);
    return webhookSecret;
  }

  /** HMAC keys: 32 random bytes, returned once as base64. Ed25519 keys: the bank keeps the private half. */
  async createKey(
    tx: Queryable,
    tenantId: string,
    input: ({ alg: 'hmac-sha256' } | { alg: 'ed25519'; publicKeyPem: string }) & KeyProtections,
  ): Promise<{ key: ApiKeyRecord; secret?: string }> {
    const keyId = newId('key', 12);
    const protections = [input.allowedNetworks ? JSON.stringify(input.allowedNetworks) : null, input.expiresAt ?? null];
    if (input.alg === 'ed25519') {
      const normalizedPem = normalizeEd25519Pem(input.publicKeyPem);
      const result = await tx.query<Record<string, unknown>>(
        `INSERT INTO api_keys (key_id, tenant_id, alg, public_key_pem, allowed_networks, expires_at) VALUES ($1, $2, 'ed25519', $3, $4::jsonb, $5) RETURNING *`,
        [keyId, tenantId, normalizedPem, ...protections],
      );
      return { key: toKey(result.rows[0]!) };
    }
    const secret = randomBytes(32).toString('base64');
    const result = await tx.query<Record<string, unknown>>(
      `INSERT INTO api_keys (key_id, tenant_id, alg, secret_enc, allowed_networks, expires_at) VALUES ($1, $2, 'hmac-sha256', $3, $4::jsonb, $5) RETURNING *`,
      [keyId, tenantId, this.envelope.encrypt(secret, keyContext(keyId)), ...protections],
    );
    return { key: toKey(result.rows[0]!), secret };
  }

  /** Changes a live key's protections; null when there is no such live key. Announce after the commit. */
  async protectKey(tx: Queryable, tenantId: string, keyId: string, changes: KeyProtections): Promise<{ before: ApiKeyRecord; after: ApiKeyRecord } | null> {
    const before = await tx.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE tenant_id = $1 AND key_id = $2 AND revoked_at IS NULL FOR UPDATE', [tenantId, keyId]);
    if (!before.rows[0]) return null;
    const result = await tx.query<Record<string, unknown>>(
      `UPDATE api_keys SET
         allowed_networks = CASE WHEN $3::boolean THEN $4::jsonb ELSE allowed_networks END,
         expires_at = CASE WHEN $5::boolean THEN $6::timestamptz ELSE expires_at END,
         suspended_at = CASE WHEN $7::boolean IS NULL THEN suspended_at WHEN $7 THEN COALESCE(suspended_at, $8) ELSE NULL END,
         suspended_by = CASE WHEN $7::boolean IS NULL THEN suspended_by WHEN $7 THEN COALESCE(suspended_by, 'admin') ELSE NULL END
       WHERE tenant_id = $1 AND key_id = $2 RETURNING *`,
      [
        tenantId,
        keyId,
        changes.allowedNetworks !== undefined,
        changes.allowedNetworks ? JSON.stringify(changes.allowedNetworks) : null,
        changes.expiresAt !== undefined,
        changes.expiresAt ?? null,
        changes.suspended ?? null,
        new Date(nowMs(this.clock)),
      ],
    );
    return { before: toKey(before.rows[0]), after: toKey(result.rows[0]!) };
  }

  async listKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    const result = await this.db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at', [tenantId]);
    return result.rows.map(toKey);
  }

  private revocationListener: ((keyId: string) => Promise<void>) | undefined;

  /** Who hears about revoked keys (the revocation bus, which tells every API process). */
  onKeyRevoked(listener: (keyId: string) => Promise<void>): void {
    this.revocationListener = listener;
  }

  /**
   * Call once a transaction that revoked or changed the key has committed: every process drops the key
   * from its cache at once.
   */
  async announceKeyRevoked(keyId: string): Promise<void> {
    await this.revocationListener?.(keyId);
  }

  /** Marks the key revoked; announceKeyRevoked after the commit makes every process refuse it at once. */
  async revokeKey(tx: Queryable, tenantId: string, keyId: string): Promise<boolean> {
    const result = await tx.query(
      'UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND key_id = $2 AND revoked_at IS NULL',
      [tenantId, keyId],
    );
    return result.rowCount > 0;
  }

  /**
   * Suspends a live key that is not suspended yet (a strong signal, docs/security.md "Key protections");
   * false when there is none. Announce after the commit, as for a revocation.
   */
  async suspendKey(tx: Queryable, tenantId: string, keyId: string, by: string): Promise<boolean> {
    const result = await tx.query(
      'UPDATE api_keys SET suspended_at = $4, suspended_by = $3 WHERE tenant_id = $1 AND key_id = $2 AND revoked_at IS NULL AND suspended_at IS NULL',
      [tenantId, keyId, by, new Date(nowMs(this.clock))],
    );
    return result.rowCount > 0;
  }

  /** A key that is not revoked (a suspended one included: its uses are refused and signalled). */
  async findActiveKey(keyId: string): Promise<ApiKeyRecord | null> {
    const result = await this.db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL', [keyId]);
    return result.rows[0] ? toKey(result.rows[0]) : null;
  }

  hmacSecret(key: ApiKeyRecord): Buffer {
    if (!key.secretEnc) throw new Error('not an HMAC key');
    return Buffer.from(this.envelope.decryptText(key.secretEnc, keyContext(key.keyId)), 'base64');
  }
}

const toKey = (row: Record<string, unknown>): ApiKeyRecord => ({
  keyId: row.key_id as string,
  tenantId: row.tenant_id as string,
  alg: row.alg as ApiKeyRecord['alg'],
  secretEnc: (row.secret_enc as string | null) ?? null,
  publicKeyPem: (row.public_key_pem as string | null) ?? null,
  createdAt: row.created_at as Date,
  revokedAt: (row.revoked_at as Date | null) ?? null,
  // PGlite and node-postgres both parse jsonb; a string only comes from a driver that does not.
  allowedNetworks: typeof row.allowed_networks === 'string' ? (JSON.parse(row.allowed_networks) as string[]) : ((row.allowed_networks as string[] | null) ?? null),
  expiresAt: (row.expires_at as Date | null) ?? null,
  lastUsedAt: (row.last_used_at as Date | null) ?? null,
  lastUsedFrom: (row.last_used_from as string | null) ?? null,
  suspendedAt: (row.suspended_at as Date | null) ?? null,
  suspendedBy: (row.suspended_by as string | null) ?? null,
});

function normalizeEd25519Pem(pem: string): string {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return key.export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw new ProblemError('validation_failed', 'publicKeyPem must be an Ed25519 public key in SPKI PEM form');
  }
}
