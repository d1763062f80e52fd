// Envelope encryption for secrets at rest: each value gets its own data key (AES-256-GCM), and the
// data key is wrapped by the master key (KEK) named in the envelope, so MASTER_KEY can rotate.
// Format: v1.<kekId>.<wrapIv>.<wrappedKey+tag>.<iv>.<ciphertext+tag> (base64url parts).
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomBytes } from './random-pool.ts';

export interface MasterKeys {
  current: { id: string; key: Buffer };
  previous: { id: string; key: Buffer }[];
}

const b64 = (buffer: Buffer) => buffer.toString('base64url');
const unb64 = (text: string) => Buffer.from(text, 'base64url');

function seal(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; sealed: Buffer } {
  const iv = pooledRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, sealed };
}

function open(key: Buffer, iv: Buffer, sealed: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
}

export class Envelope {
  constructor(private readonly keys: MasterKeys) {}

  /** `context` is bound as AAD: a ciphertext copied to another row or purpose fails to open. */
  encrypt(plaintext: string | Buffer, context: string): string {
    const dataKey = pooledRandomBytes(32);
    const kek = this.keys.current;
    const wrapped = seal(kek.key, dataKey, `kek:${kek.id}`);
    const body = seal(dataKey, Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, 'utf8'), context);
    dataKey.fill(0);
    return ['v1', kek.id, b64(wrapped.iv), b64(wrapped.sealed), b64(body.iv), b64(body.sealed)].join('.');
  }

  decrypt(envelope: string, context: string): Buffer {
    const [version, kekId, wrapIv, wrappedKey, iv, sealed] = envelope.split('.');
    if (version !== 'v1' || !kekId || !wrapIv || !wrappedKey || !iv || !sealed) throw new Error('malformed envelope');
    const kek = [this.keys.current, ...this.keys.previous].find((candidate) => candidate.id === kekId);
    if (!kek) throw new Error(`envelope sealed under unknown master key "${kekId}"`);
    const dataKey = open(kek.key, unb64(wrapIv), unb64(wrappedKey), `kek:${kek.id}`);
    try {
      return open(dataKey, unb64(iv), unb64(sealed), context);
    } finally {
      dataKey.fill(0);
    }
  }

  decryptText(envelope: string, context: string): string {
    return this.decrypt(envelope, context).toString('utf8');
  }

  /** True when the envelope is sealed under an older master key and should be re-wrapped. */
  needsRewrap(envelope: string): boolean {
    return envelope.split('.')[1] !== this.keys.current.id;
  }

  /** Re-wraps under the current master key (the data itself is re-encrypted with a fresh data key). */
  rewrap(envelope: string, context: string): string {
    const plaintext = this.decrypt(envelope, context);
    try {
      return this.encrypt(plaintext, context);
    } finally {
      plaintext.fill(0);
    }
  }
}
