// The webauthn_credentials table: a customer's passkeys, always read and written by
// (tenant_id, customer_id), so one tenant never sees or uses another tenant's credential.
import type { Queryable } from '../../storage/db.ts';

/** At most this many passkeys per customer (docs/webauthn-channel.md). */
export const maxCredentialsPerCustomer = 10;

export interface CredentialRecord {
  tenantId: string;
  id: string;
  customerId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  signCount: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  payment: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface CredentialRow {
  tenant_id: string;
  id: string;
  customer_id: string;
  public_key: string;
  sign_count: string | number;
  transports: string[];
  device_type: string;
  backed_up: boolean;
  payment: boolean;
  created_at: Date;
  last_used_at: Date | null;
}

const toRecord = (row: CredentialRow): CredentialRecord => ({
  tenantId: row.tenant_id,
  id: row.id,
  customerId: row.customer_id,
  publicKey: row.public_key,
  signCount: Number(row.sign_count),
  transports: row.transports,
  deviceType: row.device_type,
  backedUp: row.backed_up,
  payment: row.payment,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

export type NewCredential = Omit<CredentialRecord, 'createdAt' | 'lastUsedAt'>;

export class CredentialStore {
  async list(q: Queryable, tenantId: string, customerId: string): Promise<CredentialRecord[]> {
    const result = await q.query<CredentialRow>(`SELECT * FROM webauthn_credentials WHERE tenant_id = $1 AND customer_id = $2 ORDER BY created_at, id`, [tenantId, customerId]);
    return result.rows.map(toRecord);
  }

  async count(q: Queryable, tenantId: string, customerId: string): Promise<number> {
    const result = await q.query<{ n: string | number }>(`SELECT count(*) AS n FROM webauthn_credentials WHERE tenant_id = $1 AND customer_id = $2`, [tenantId, customerId]);
    return Number(result.rows[0]?.n ?? 0);
  }

  /** The credential when it belongs to this tenant's customer; null otherwise (never another's). */
  async getOwned(q: Queryable, tenantId: string, customerId: string, id: string): Promise<CredentialRecord | null> {
    const result = await q.query<CredentialRow>(`SELECT * FROM webauthn_credentials WHERE tenant_id = $1 AND customer_id = $2 AND id = $3`, [tenantId, customerId, id]);
    return result.rows[0] ? toRecord(result.rows[0]) : null;
  }

  /**
   * Inserts the credential unless the customer already has `maxCredentialsPerCustomer` (the caller
   * holds the customer row lock, so two registrations cannot both pass the count) or the id exists.
   */
  async insertBelowLimit(q: Queryable, credential: NewCredential): Promise<'inserted' | 'limit_reached' | 'exists'> {
    if ((await this.count(q, credential.tenantId, credential.customerId)) >= maxCredentialsPerCustomer) return 'limit_reached';
    const result = await q.query(
      `INSERT INTO webauthn_credentials (tenant_id, id, customer_id, public_key, sign_count, transports, device_type, backed_up, payment)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, id) DO NOTHING`,
      [credential.tenantId, credential.id, credential.customerId, credential.publicKey, credential.signCount, JSON.stringify(credential.transports), credential.deviceType, credential.backedUp, credential.payment],
    );
    return result.rowCount === 1 ? 'inserted' : 'exists';
  }

  /**
   * Stores the counter of a verified assertion, only from the counter it was checked against: two
   * concurrent assertions of one credential cannot both move it (the loser is refused).
   */
  async recordUse(q: Queryable, credential: CredentialRecord, newSignCount: number): Promise<boolean> {
    const result = await q.query(
      `UPDATE webauthn_credentials SET sign_count = $4, last_used_at = now() WHERE tenant_id = $1 AND customer_id = $2 AND id = $3 AND sign_count = $5`,
      [credential.tenantId, credential.customerId, credential.id, newSignCount, credential.signCount],
    );
    return result.rowCount === 1;
  }

  async remove(q: Queryable, tenantId: string, customerId: string, id: string): Promise<boolean> {
    return (await q.query(`DELETE FROM webauthn_credentials WHERE tenant_id = $1 AND customer_id = $2 AND id = $3`, [tenantId, customerId, id])).rowCount === 1;
  }

  async eraseCustomer(q: Queryable, tenantId: string, customerId: string): Promise<void> {
    await q.query(`DELETE FROM webauthn_credentials WHERE tenant_id = $1 AND customer_id = $2`, [tenantId, customerId]);
    await q.query(`DELETE FROM webauthn_registration_links WHERE tenant_id = $1 AND customer_id = $2`, [tenantId, customerId]);
    await q.query(`DELETE FROM webauthn_confirmations WHERE tenant_id = $1 AND customer_id = $2`, [tenantId, customerId]);
  }
}
