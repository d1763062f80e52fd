// OCRA suite strings (RFC 6287 §6): `Algorithm:CryptoFunction:DataInput`, e.g.
// `OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1`. Parsed strictly (upper case, fixed order, no leading zeros
// where the RFC has none) because the exact suite bytes are part of the HMAC input (RFC 6287 §5.1):
// accepting a near-miss spelling would compute codes no token ever produces.

export type OcraHash = 'sha1' | 'sha256' | 'sha512';
export type OcraQuestionFormat = 'A' | 'N' | 'H';

export interface OcraSuite {
  /** The suite string exactly as given; it is the first field of the DataInput. */
  readonly text: string;
  /** Hash of the HOTP-H-t crypto function. */
  readonly hash: OcraHash;
  /** Truncation length t: 4–10 digits, or 0 for no truncation (the full HMAC, as hex). */
  readonly digits: number;
  /** `C`: an 8-byte counter is part of the DataInput. */
  readonly counter: boolean;
  /** `QFxx`: question format and maximum length of one question. */
  readonly question: { readonly format: OcraQuestionFormat; readonly maxLength: number };
  /** `PH`: hash of the PIN/password that is part of the DataInput. */
  readonly passwordHash?: OcraHash;
  /** `Snnn`: session information length in bytes. */
  readonly sessionInfoLength?: number;
  /** `TG`: time-step size. */
  readonly timeStep?: { readonly label: string; readonly seconds: number };
}

export type OcraSuiteErrorCode =
  | 'invalid_structure'
  | 'unsupported_version'
  | 'invalid_crypto_function'
  | 'invalid_truncation'
  | 'missing_question'
  | 'invalid_question'
  | 'invalid_password_hash'
  | 'invalid_session_length'
  | 'invalid_time_step'
  | 'invalid_data_input';

export type ParseOcraSuiteResult =
  | { readonly ok: true; readonly suite: OcraSuite }
  | { readonly ok: false; readonly error: OcraSuiteErrorCode };

/** Output sizes of the hashes, in bytes (HMAC output and PH length). */
export const ocraHashLength: Readonly<Record<OcraHash, number>> = { sha1: 20, sha256: 32, sha512: 64 };

const hashNames: Readonly<Record<string, OcraHash>> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

// RFC 6287 §6.1: truncation t is 0 (none) or 4–10; written without leading zeros.
const cryptoFunctionPattern = /^HOTP-(SHA1|SHA256|SHA512)-(0|[4-9]|10)$/;
// RFC 6287 §6.3 table 2: QFxx with F in {A,N,H} and xx in 04–64 (always two digits).
const questionPattern = /^Q([ANH])(\d\d)$/;
// RFC 6287 §6.3: PH with H in {SHA1,SHA256,SHA512}.
const passwordPattern = /^P(SHA1|SHA256|SHA512)$/;
// RFC 6287 §6.3: Snnn, nnn the session length in bytes (any length the parties agree on;
// 064/128/256/512 are the typical ones), always three digits.
const sessionPattern = /^S(\d{3})$/;
// RFC 6287 §6.3 table 3: TG with G in [1-59]S, [1-59]M, [0-48]H, written without leading zeros.
const timeStepPattern = /^T([1-9]\d?)([SMH])$/;

const secondsPerUnit = { S: 1, M: 60, H: 3600 } as const;
const maxPerUnit = { S: 59, M: 59, H: 48 } as const;

/**
 * Parses and validates an OCRA suite string (RFC 6287 §6).
 *
 * Deliberate deviation: the RFC's time-step table admits `T0H`; a zero-length step cannot define
 * T = floor(time / step), so it is refused as `invalid_time_step`.
 */
export function parseOcraSuite(text: string): ParseOcraSuiteResult {
  const fail = (error: OcraSuiteErrorCode): ParseOcraSuiteResult => ({ ok: false, error });

  // RFC 6287 §6: OCRASuite = Algorithm:CryptoFunction:DataInput
  const parts = text.split(':');
  if (parts.length !== 3) return fail('invalid_structure');
  const [algorithm, cryptoFunction, dataInput] = parts as [string, string, string];

  // RFC 6287 §6.1: the only defined version is OCRA-1.
  if (algorithm !== 'OCRA-1') return fail('unsupported_version');

  // RFC 6287 §6.2: CryptoFunction = HOTP-H-t
  if (!/^HOTP-SHA(1|256|512)-\d+$/.test(cryptoFunction)) return fail('invalid_crypto_function');
  const crypto = cryptoFunctionPattern.exec(cryptoFunction);
  if (!crypto) return fail('invalid_truncation');
  const hash = hashNames[crypto[1]!]!;
  const digits = Number(crypto[2]);

  // RFC 6287 §6.3: DataInput = [C] | QFxx | [PH | Snnn | TG], in that order, hyphen-separated.
  const elements = dataInput.split('-');
  let index = 0;
  let counter = false;
  if (elements[index] === 'C') {
    counter = true;
    index += 1;
  }

  // RFC 6287 §6.3: the question is mandatory.
  const questionElement = elements[index];
  if (questionElement === undefined || !questionElement.startsWith('Q')) return fail('missing_question');
  const question = questionPattern.exec(questionElement);
  if (!question) return fail('invalid_question');
  const maxLength = Number(question[2]);
  if (maxLength < 4 || maxLength > 64) return fail('invalid_question');
  index += 1;

  let passwordHash: OcraHash | undefined;
  let sessionInfoLength: number | undefined;
  let timeStep: { label: string; seconds: number } | undefined;

  // Optional elements, each at most once and in the RFC order P, S, T.
  let element = elements[index];
  if (element?.startsWith('P')) {
    const password = passwordPattern.exec(element);
    if (!password) return fail('invalid_password_hash');
    passwordHash = hashNames[password[1]!]!;
    element = elements[++index];
  }
  if (element?.startsWith('S')) {
    const session = sessionPattern.exec(element);
    if (!session || Number(session[1]) === 0) return fail('invalid_session_length');
    sessionInfoLength = Number(session[1]);
    element = elements[++index];
  }
  if (element?.startsWith('T')) {
    const time = timeStepPattern.exec(element);
    if (!time) return fail('invalid_time_step');
    const amount = Number(time[1]);
    const unit = time[2] as keyof typeof secondsPerUnit;
    if (amount > maxPerUnit[unit]) return fail('invalid_time_step');
    timeStep = { label: `${amount}${unit}`, seconds: amount * secondsPerUnit[unit] };
    element = elements[++index];
  }
  // Anything left over is unknown, repeated or out of order.
  if (element !== undefined) return fail('invalid_data_input');

  return {
    ok: true,
    suite: {
      text,
      hash,
      digits,
      counter,
      question: { format: question[1] as OcraQuestionFormat, maxLength },
      ...(passwordHash ? { passwordHash } : {}),
      ...(sessionInfoLength ? { sessionInfoLength } : {}),
      ...(timeStep ? { timeStep } : {}),
    },
  };
}
