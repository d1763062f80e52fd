// The webauthn_registration_links table: one-time links where a customer registers a passkey.
// A link is live until it expires or a passkey is registered through it (used_at), whichever first.
import type { Queryable } from '../../storage/db.ts';

export interface RegistrationLinkRecord {
  id: string;
  tenantId: string;
  customerId: string;
  locale: string;
  displayName: string | null;
  ceremonyChallenge: string | null;
  ceremonyPayment: boolean;
  expiresAt: Date;
  usedAt: Date | null;
}

interface LinkRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  locale: string;
  display_name: string | null;
  ceremony_challenge: string | null;
  ceremony_payment: boolean;
  expires_at: Date;
  used_at: Date | null;
}

const toRecord = (row: LinkRow): RegistrationLinkRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  customerId: row.customer_id,
  locale: row.locale,
  displayName: row.display_name,
  ceremonyChallenge: row.ceremony_challenge,
  ceremonyPayment: row.ceremony_payment,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
});

export class RegistrationLinkStore {
  async insert(q: Queryable, link: Omit<RegistrationLinkRecord, 'ceremonyChallenge' | 'ceremonyPayment' | 'usedAt'> & { tokenHash: string }): Promise<void> {
    await q.query(
      `INSERT INTO webauthn_registration_links (id, tenant_id, customer_id, token_hash, locale, display_name, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [link.id, link.tenantId, link.customerId, link.tokenHash, link.locale, link.displayName, link.expiresAt],
    );
  }

  async byTokenHash(q: Queryable, tokenHash: string): Promise<RegistrationLinkRecord | null> {
    const result = await q.query<LinkRow>(`SELECT * FROM webauthn_registration_links WHERE token_hash = $1`, [tokenHash]);
    return result.rows[0] ? toRecord(result.rows[0]) : null;
  }

  /** Starts a ceremony: a new challenge, only while the link is live. */
  async setCeremonyChallenge(q: Queryable, id: string, challenge: string, payment: boolean, now: Date): Promise<boolean> {
    const result = await q.query(`UPDATE webauthn_registration_links SET ceremony_challenge = $2, ceremony_payment = $3 WHERE id = $1 AND used_at IS NULL AND expires_at > $4`, [id, challenge, payment, now]);
    return result.rowCount === 1;
  }

  /** Spends the link and its ceremony challenge at once: a second registration through it finds nothing. */
  async consume(q: Queryable, id: string, challenge: string, now: Date): Promise<RegistrationLinkRecord | null> {
    const result = await q.query<LinkRow>(
      `UPDATE webauthn_registration_links SET used_at = $3, ceremony_challenge = NULL
       WHERE id = $1 AND ceremony_challenge = $2 AND used_at IS NULL AND expires_at > $3 RETURNING *`,
      [id, challenge, now],
    );
    return result.rows[0] ? toRecord(result.rows[0]) : null;
  }
}
