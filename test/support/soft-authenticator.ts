// A software WebAuthn authenticator for tests: P-256 keys from node:crypto, authenticatorData built
// by hand (WebAuthn L3 §6.1: rpIdHash | flags | signCount | attested credential data), attestation
// `none` in CBOR, and client data as a browser would write it — or as an attacker would.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const flags = { up: 0x01, uv: 0x04, at: 0x40 } as const;

interface SoftCredential {
  id: Buffer;
  privateKey: KeyObject;
  publicKeyCose: Uint8Array;
  signCount: number;
}

export interface SoftAuthenticatorOptions {
  origin: string;
  rpId: string;
  /** The authenticator verifies its user (UV flag); false: user presence only. */
  userVerification?: boolean;
}

export interface AssertOptions {
  /** The base64url challenge the server sent. */
  challenge: string;
  credentialId?: string;
  origin?: string;
  rpId?: string;
  type?: string;
  userVerified?: boolean;
  /** Sets the counter this assertion reports (e.g. lower than before: a cloned key). */
  signCount?: number;
  /** CollectedClientPaymentData for `payment.get` (Secure Payment Confirmation). */
  payment?: Record<string, unknown>;
}

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const rpIdHash = (rpId: string) => createHash('sha256').update(rpId).digest();

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(private readonly options: SoftAuthenticatorOptions) {}

  /** navigator.credentials.create() for the creation options the server sent (JSON form). */
  register(creation: { challenge: string; rp: { id?: string } }, overrides: { origin?: string; rpId?: string; userVerified?: boolean } = {}): Record<string, unknown> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    // RFC 9053 / COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
    const publicKeyCose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const credential: SoftCredential = { id: randomBytes(32), privateKey, publicKeyCose, signCount: 0 };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const authData = Buffer.concat([
      rpIdHash(overrides.rpId ?? creation.rp.id ?? this.options.rpId),
      Buffer.from([flags.up | flags.at | ((overrides.userVerified ?? this.options.userVerification ?? true) ? flags.uv : 0)]),
      Buffer.alloc(4),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credential.id,
      Buffer.from(publicKeyCose),
    ]);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: creation.challenge, origin: overrides.origin ?? this.options.origin, crossOrigin: false }));
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(authData)]]) as never);
    this.credentials.push(credential);
    return {
      id: b64u(credential.id),
      rawId: b64u(credential.id),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ['internal'] },
    };
  }

  /** navigator.credentials.get() (or SPC with `type: 'payment.get'`) with the given client data. */
  assert(options: AssertOptions): Record<string, unknown> {
    const credential = options.credentialId ? this.credentials.find((c) => b64u(c.id) === options.credentialId) : this.credentials[this.credentials.length - 1];
    if (!credential) throw new Error('no such credential on this authenticator');
    credential.signCount = options.signCount ?? credential.signCount + 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.signCount);
    const authData = Buffer.concat([
      rpIdHash(options.rpId ?? this.options.rpId),
      Buffer.from([flags.up | ((options.userVerified ?? this.options.userVerification ?? true) ? flags.uv : 0)]),
      counter,
    ]);
    const clientData: Record<string, unknown> = { type: options.type ?? 'webauthn.get', challenge: options.challenge, origin: options.origin ?? this.options.origin, crossOrigin: false };
    if (options.payment) clientData.payment = options.payment;
    const clientDataJSON = Buffer.from(JSON.stringify(clientData));
    // WebAuthn L3 §6.3.3: the signature covers authenticatorData || SHA-256(clientDataJSON), DER ECDSA.
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]), credential.privateKey);
    return {
      id: b64u(credential.id),
      rawId: b64u(credential.id),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authData), signature: b64u(signature) },
    };
  }
}
