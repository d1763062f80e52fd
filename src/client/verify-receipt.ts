// Verifies a challenge's receipt as a bank would (docs/receipts.md): the JWS signature against the
// server's published keys, the header's type, and the claims against the challenge it came with.
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface ReceiptExpectation {
  challengeId: string;
  status: string;
  transactionHash: string;
}

export type ReceiptVerdict = { ok: true; kid: string } | { ok: false; reason: string };

export async function verifyReceipt(receipt: string, baseUrl: string, expected: ReceiptExpectation): Promise<ReceiptVerdict> {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', baseUrl));
  try {
    const { payload, protectedHeader } = await jwtVerify(receipt, jwks, { typ: 'stepup-receipt+jwt', algorithms: ['ES256'] });
    if (payload.sub !== expected.challengeId) return { ok: false, reason: `it names challenge ${String(payload.sub)}` };
    if (payload.sts !== expected.status) return { ok: false, reason: `it says ${String(payload.sts)}, the challenge says ${expected.status}` };
    if (payload.txh !== expected.transactionHash) return { ok: false, reason: 'its transaction hash differs from the challenge' };
    return { ok: true, kid: protectedHeader.kid ?? '(none)' };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
