// A keyed hash of a phone number, so no Redis key (cache, call caps) ever holds the plain number
// and the hash cannot be reversed by hashing every possible number without the key. The key is
// derived from the current MASTER_KEY (HKDF, RFC 5869) under its own label.
import { createHmac, hkdfSync } from 'node:crypto';
import type { NumberHasher } from '../../channels/ars/ars-ports.ts';

export type { NumberHasher };

export function createNumberHasher(masterKey: Buffer): NumberHasher {
  const key = Buffer.from(hkdfSync('sha256', masterKey, 'stepup', 'number-hash v1', 32));
  return (e164) => createHmac('sha256', key).update(e164).digest('base64url').slice(0, 32);
}
