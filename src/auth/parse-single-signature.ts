// A bank request carries exactly one RFC 9421 signature. The library verifies every label it finds but
// returns only the last label's verdict while looking up all their keys at once, so a second label could
// lend its key's tenant to a request that only the first label's key signed (docs/signing-requests.md).
// We therefore parse Signature-Input and Signature ourselves, with the same structured-field parser
// (RFC 8941) the library uses, and refuse anything but one label present in both.
import { parseDictionary, isInnerList, type Parameters } from 'structured-headers';

export interface SingleSignature {
  label: string;
  keyId: string;
  alg: string;
  /** Seconds since the epoch. */
  created: number;
  /** Seconds since the epoch, when the signer set one (RFC 9421 §2.3). */
  expires?: number;
  nonce: string;
}

export type ParsedSignature = { ok: true; signature: SingleSignature } | { ok: false; reason: string };

const stringParam = (params: Parameters, name: string): string | undefined => {
  const value = params.get(name);
  return typeof value === 'string' ? value : undefined;
};

export function parseSingleSignature(signatureInputHeader: string, signatureHeader: string): ParsedSignature {
  let inputs: ReturnType<typeof parseDictionary>;
  let signatures: ReturnType<typeof parseDictionary>;
  try {
    inputs = parseDictionary(signatureInputHeader);
    signatures = parseDictionary(signatureHeader);
  } catch {
    return { ok: false, reason: 'malformed signature headers' };
  }
  // One label in each header, and the same one (RFC 9421 §4.3 pairs them by label).
  if (inputs.size !== 1 || signatures.size !== 1) return { ok: false, reason: 'not exactly one signature label' };
  const [label, input] = [...inputs.entries()][0]!;
  const signature = signatures.get(label);
  if (!signature) return { ok: false, reason: 'Signature and Signature-Input labels differ' };
  // RFC 9421 §4.1: the input is an inner list of components; §4.2: the signature is a byte sequence.
  if (!isInnerList(input)) return { ok: false, reason: 'malformed signature input' };
  if (isInnerList(signature) || !(signature[0] instanceof ArrayBuffer)) return { ok: false, reason: 'malformed signature' };

  const params = input[1];
  const keyId = stringParam(params, 'keyid');
  const alg = stringParam(params, 'alg');
  const nonce = stringParam(params, 'nonce');
  const created = params.get('created');
  if (!keyId) return { ok: false, reason: 'no keyid' };
  if (!alg) return { ok: false, reason: 'no alg' };
  if (nonce === undefined || nonce.length < 8 || nonce.length > 128) return { ok: false, reason: 'bad nonce' };
  if (typeof created !== 'number' || !Number.isInteger(created)) return { ok: false, reason: 'no created' };
  const expires = params.get('expires');
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isInteger(expires))) return { ok: false, reason: 'bad expires' };

  return { ok: true, signature: { label, keyId, alg, created, nonce, ...(expires !== undefined ? { expires } : {}) } };
}
