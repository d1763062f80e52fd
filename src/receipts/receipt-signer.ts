// SPEC §5 receipts: a compact JWS (ES256) over the challenge's outcome, verifiable with the keys at
// /.well-known/jwks.json. Keys rotate: retired keys stay published so old receipts still verify.
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import type { Db } from '../storage/db.ts';
import type { Envelope } from '../crypto/envelope.ts';
import { newId } from '../crypto/hashing.ts';

export interface ReceiptClaims {
  challengeId: string;
  tenantId: string;
  customerId: string;
  transactionHash: string;
  channel: string | null;
  status: string;
  reason: string;
  fraudReported?: boolean;
  completedAt: Date;
}

const keyContext = (kid: string) => `receipt-key:${kid}`;

export class ReceiptSigner {
  private active: { kid: string; key: CryptoKey; loadedAt: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly envelope: Envelope,
    private readonly issuer: string,
    private readonly refreshMs = 60_000,
  ) {}

  /** Creates the first key when none is active (safe when several processes start together). */
  async ensureActiveKey(): Promise<void> {
    const existing = await this.db.query('SELECT 1 FROM receipt_keys WHERE active');
    if (existing.rowCount === 0) {
      try {
        await this.insertKey(true);
      } catch {
        // another process won the race on receipt_keys_one_active
      }
    }
    await this.loadActive();
  }

  async rotate(): Promise<string> {
    const kid = await this.db.tx(async (tx) => {
      await tx.query('UPDATE receipt_keys SET active = false, retired_at = now() WHERE active');
      return this.insertKey(true, tx);
    });
    await this.loadActive();
    return kid;
  }

  private async insertKey(active: boolean, q: Pick<Db, 'query'> = this.db): Promise<string> {
    const kid = newId('rk', 9);
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    await q.query('INSERT INTO receipt_keys (kid, private_jwk_enc, public_jwk, active) VALUES ($1, $2, $3, $4)', [
      kid,
      this.envelope.encrypt(JSON.stringify(privateJwk), keyContext(kid)),
      JSON.stringify(publicJwk),
      active,
    ]);
    return kid;
  }

  private async loadActive(): Promise<void> {
    const result = await this.db.query<{ kid: string; private_jwk_enc: string }>('SELECT kid, private_jwk_enc FROM receipt_keys WHERE active');
    const row = result.rows[0];
    if (!row) throw new Error('no active receipt key');
    const jwk = JSON.parse(this.envelope.decryptText(row.private_jwk_enc, keyContext(row.kid))) as JWK;
    this.active = { kid: row.kid, key: (await importJWK(jwk, 'ES256')) as CryptoKey, loadedAt: Date.now() };
  }

  async sign(claims: ReceiptClaims): Promise<string> {
    if (!this.active || Date.now() - this.active.loadedAt > this.refreshMs) await this.loadActive();
    const { kid, key } = this.active!;
    return new SignJWT({
      tid: claims.tenantId,
      cid: claims.customerId,
      txh: claims.transactionHash,
      chn: claims.channel,
      sts: claims.status,
      rsn: claims.reason,
      ...(claims.fraudReported ? { fraud: true } : {}),
    })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'stepup-receipt+jwt' })
      .setIssuer(this.issuer)
      .setSubject(claims.challengeId)
      .setJti(claims.challengeId)
      .setIssuedAt(Math.floor(claims.completedAt.getTime() / 1000))
      .sign(key);
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const result = await this.db.query<{ public_jwk: JWK }>('SELECT public_jwk FROM receipt_keys ORDER BY created_at DESC');
    return { keys: result.rows.map((row) => row.public_jwk) };
  }
}
