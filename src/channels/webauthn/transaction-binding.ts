// Transaction binding (docs/webauthn-channel.md): the WebAuthn challenge the authenticator signs is
// SHA-256(nonce || transactionHash), so an assertion made for one transaction can never approve
// another — the transaction hash covers the payee, the full account and the amount.
import { createHash, randomBytes } from 'node:crypto';

export const newAssertionNonce = (): string => randomBytes(32).toString('base64url');

/** base64url(SHA-256(nonce bytes || transaction hash bytes)); both inputs base64url. */
export function assertionChallenge(nonce: string, transactionHash: string): string {
  return createHash('sha256').update(Buffer.from(nonce, 'base64url')).update(Buffer.from(transactionHash, 'base64url')).digest('base64url');
}
