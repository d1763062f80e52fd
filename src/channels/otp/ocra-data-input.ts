// The OCRA DataInput (RFC 6287 §5.1):
//   DataInput = OCRASuite | 00 | C | Q | P | S | T
// Encodings follow the RFC text and, where the text is silent, its reference implementation
// (RFC 6287 Appendix A), because that is what deployed tokens and the Appendix C vectors use.
import { createHash } from 'node:crypto';
import { ocraHashLength, type OcraSuite } from './ocra-suite.ts';

export type OcraInputErrorCode =
  | 'invalid_suite'
  | 'invalid_key'
  | 'counter_required'
  | 'invalid_counter'
  | 'invalid_question'
  | 'password_required'
  | 'invalid_password'
  | 'session_info_required'
  | 'invalid_session_info'
  | 'time_step_required'
  | 'invalid_time_step'
  | 'last_used_time_step_required'
  | 'invalid_window';

/**
 * Inputs that cannot be encoded for the suite. These are the caller's bugs (the server builds the
 * question and holds the token state), not a customer's wrong code, hence an exception.
 */
export class OcraInputError extends Error {
  constructor(readonly code: OcraInputErrorCode, detail?: string) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'OcraInputError';
  }
}

export interface OcraDataInputValues {
  /** C: the counter (required when the suite has `C`). */
  readonly counter?: number;
  /**
   * Q: one question, or several concatenated in the given order: for mutual challenge-response
   * (RFC 6287 §7.2) the other party's question first, then your own (RFC 6287 §5.1).
   */
  readonly question: string | readonly string[];
  /** P: the PIN/password (hashed here with the suite's PH), or its PH digest as stored by servers. */
  readonly password?: string | Uint8Array;
  /** S: session information, UTF-8 if a string (required when the suite has `Snnn`). */
  readonly sessionInfo?: string | Uint8Array;
  /** T: the number of time steps since the Unix epoch (required when the suite has `TG`). */
  readonly timeStep?: number;
}

const QUESTION_BYTES = 128; // RFC 6287 §5.1: Q is always 128 bytes.
const questionCharacters = {
  A: /^[0-9A-Za-z]+$/, // RFC 6287 §6.3 table 2: alphanumeric
  N: /^[0-9]+$/, // numeric
  H: /^[0-9A-Fa-f]+$/, // hexadecimal
} as const;

/** Builds the HMAC message for one computation (RFC 6287 §5.1). */
export function buildOcraDataInput(suite: OcraSuite, values: OcraDataInputValues): Uint8Array {
  const fields: Uint8Array[] = [];

  // RFC 6287 §5.1: OCRASuite, the suite string's bytes, then one 0x00 separator byte.
  fields.push(Buffer.from(suite.text, 'ascii'), Uint8Array.of(0));

  // RFC 6287 §5.1: C, 8-byte unsigned big-endian counter.
  if (suite.counter) {
    if (values.counter === undefined) throw new OcraInputError('counter_required');
    fields.push(uint64(values.counter, 'invalid_counter'));
  }

  // RFC 6287 §5.1: Q, 128 bytes, the question(s) left-aligned and zero-padded.
  fields.push(encodeQuestion(suite, values.question));

  // RFC 6287 §5.1: P, the hash of the PIN/password (20, 32 or 64 bytes).
  if (suite.passwordHash) {
    if (values.password === undefined) throw new OcraInputError('password_required');
    const digest =
      typeof values.password === 'string'
        ? createHash(suite.passwordHash).update(values.password, 'utf8').digest()
        : values.password;
    if (digest.length !== ocraHashLength[suite.passwordHash]) {
      throw new OcraInputError('invalid_password', `expected a ${suite.passwordHash} digest`);
    }
    fields.push(digest);
  }

  // RFC 6287 §5.1: S, nnn bytes of session information. Shorter values are left-padded with zero
  // bytes, as the reference implementation does (Appendix A pads the hex string on the left).
  if (suite.sessionInfoLength !== undefined) {
    if (values.sessionInfo === undefined) throw new OcraInputError('session_info_required');
    const session =
      typeof values.sessionInfo === 'string' ? Buffer.from(values.sessionInfo, 'utf8') : values.sessionInfo;
    if (session.length > suite.sessionInfoLength) {
      throw new OcraInputError('invalid_session_info', `longer than ${suite.sessionInfoLength} bytes`);
    }
    const padded = new Uint8Array(suite.sessionInfoLength);
    padded.set(session, suite.sessionInfoLength - session.length);
    fields.push(padded);
  }

  // RFC 6287 §5.1: T, 8-byte unsigned big-endian number of time steps since the epoch.
  if (suite.timeStep) {
    if (values.timeStep === undefined) throw new OcraInputError('time_step_required');
    fields.push(uint64(values.timeStep, 'invalid_time_step'));
  }

  return Buffer.concat(fields);
}

function uint64(value: number, error: OcraInputErrorCode): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new OcraInputError(error);
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}

/**
 * RFC 6287 §5.1 Q. Each question must fit the suite's QFxx; several questions (mutual
 * challenge-response, RFC 6287 §7.2) are concatenated before encoding. Per the reference
 * implementation:
 *   QN: the decimal number converted to hexadecimal, that hex string left-aligned and right-padded
 *       with `0` to 256 hex digits (so an odd-length hex string is shifted by a nibble);
 *   QA: the ASCII bytes, right-padded with zero bytes;
 *   QH: the hex string as given, right-padded with `0` to 256 hex digits.
 */
function encodeQuestion(suite: OcraSuite, question: string | readonly string[]): Uint8Array {
  const questions = typeof question === 'string' ? [question] : question;
  const { format, maxLength } = suite.question;
  if (questions.length === 0) throw new OcraInputError('invalid_question', 'no question');
  for (const part of questions) {
    if (part.length === 0 || part.length > maxLength || !questionCharacters[format].test(part)) {
      throw new OcraInputError('invalid_question', `each question must be 1–${maxLength} characters of Q${format}`);
    }
  }
  const joined = questions.join('');

  if (format === 'A') {
    if (joined.length > QUESTION_BYTES) throw new OcraInputError('invalid_question', 'longer than 128 bytes');
    const bytes = new Uint8Array(QUESTION_BYTES);
    bytes.set(Buffer.from(joined, 'ascii'));
    return bytes;
  }

  const hex = format === 'N' ? BigInt(joined).toString(16) : joined;
  if (hex.length > QUESTION_BYTES * 2) throw new OcraInputError('invalid_question', 'longer than 128 bytes');
  return Buffer.from(hex.padEnd(QUESTION_BYTES * 2, '0'), 'hex');
}
