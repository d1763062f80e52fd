// OCRA (RFC 6287) computation and verification. Pure: the caller passes the token's state in
// (stored counter, last accepted time step) and persists what comes back.
//
//   counter suites: the caller stores `matched.counter + 1` after a success, and only then
//                   (RFC 6287 §5.1: the server's counter MUST only be incremented after a
//                   successful authentication, while the token increments on every computation);
//   time suites:    the caller stores `matched.timeStep` as the new `lastUsedTimeStep`, so a code
//                   is accepted once; or (the OTP channel, where questions differ per transaction)
//                   passes `lastUsedTimeStep: null` and remembers the (question, step, response)
//                   it accepted instead (src/channels/otp/otp-code-check.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hotpTruncate } from './hotp-truncate.ts';
import { buildOcraDataInput, OcraInputError, type OcraDataInputValues } from './ocra-data-input.ts';
import { ocraHashLength, parseOcraSuite, type OcraSuite } from './ocra-suite.ts';

export { OcraInputError, type OcraInputErrorCode } from './ocra-data-input.ts';

/** RFC 4226 R6 asks for at least 128-bit shared secrets. */
const MIN_KEY_BYTES = 16;
const MAX_COUNTER_WINDOW = 100;
const MAX_TIME_WINDOW_STEPS = 10;

export interface GenerateOcraOptions extends OcraDataInputValues {
  readonly suite: string | OcraSuite;
  readonly key: Uint8Array;
}

/**
 * Computes an OCRA response (RFC 6287 §5.2): HOTP-H-t over the DataInput of §5.1.
 * With truncation 0 the response is the whole HMAC in lower-case hex.
 * Throws `OcraInputError` when the inputs do not fit the suite.
 */
export function generateOcra(options: GenerateOcraOptions): string {
  const suite = resolveSuite(options.suite);
  checkKey(options.key);
  return compute(suite, options.key, options);
}

export interface VerifyOcraOptions {
  readonly suite: string | OcraSuite;
  readonly key: Uint8Array;
  /** What the customer entered. */
  readonly code: string;
  readonly question: string | readonly string[];
  readonly password?: string | Uint8Array;
  readonly sessionInfo?: string | Uint8Array;
  /** Counter suites: the stored counter, i.e. the next counter value the token is expected to use. */
  readonly counter?: number;
  /** Counter suites: how many counter values beyond the stored one are tried. */
  readonly counterWindow?: number;
  /** Time suites: the current time. */
  readonly now?: Date;
  /** Time suites: steps tried on either side of the current one. */
  readonly timeWindowSteps?: number;
  /**
   * Time suites, required: the time step of the last accepted code for this token, or null if none.
   * Steps at or before it are refused, so a code is accepted once.
   */
  readonly lastUsedTimeStep?: number | null;
}

export type VerifyOcraResult =
  | { readonly ok: true; readonly counter?: number; readonly timeStep?: number }
  | { readonly ok: false; readonly reason: 'malformed_code' | 'invalid_code' | 'replayed' };

/**
 * Verifies an OCRA response against the question the server issued. Returns the counter and/or
 * time step that matched; comparison is constant-time per candidate.
 */
export function verifyOcra(options: VerifyOcraOptions): VerifyOcraResult {
  const suite = resolveSuite(options.suite);
  checkKey(options.key);
  const { counterWindow = 10, timeWindowSteps = 1, now = new Date() } = options;
  if (!Number.isInteger(counterWindow) || counterWindow < 0 || counterWindow > MAX_COUNTER_WINDOW) {
    throw new OcraInputError('invalid_window', 'counterWindow');
  }
  if (!Number.isInteger(timeWindowSteps) || timeWindowSteps < 0 || timeWindowSteps > MAX_TIME_WINDOW_STEPS) {
    throw new OcraInputError('invalid_window', 'timeWindowSteps');
  }

  // RFC 6287 §5.2: the response has exactly t digits, or is the full HMAC (hex) when t = 0.
  const code = suite.digits === 0 ? options.code.toLowerCase() : options.code;
  const expectedPattern =
    suite.digits === 0 ? new RegExp(`^[0-9a-f]{${ocraHashLength[suite.hash] * 2}}$`) : new RegExp(`^\\d{${suite.digits}}$`);
  if (!expectedPattern.test(code)) return { ok: false, reason: 'malformed_code' };
  const given = Buffer.from(code, 'ascii');

  // RFC 6287 §5.1: the token increments C on every computation, the server only after a success,
  // so the token can be ahead of the stored counter but never behind it: look ahead only.
  let counters: number[] = [];
  if (suite.counter) {
    const stored = options.counter;
    if (stored === undefined) throw new OcraInputError('counter_required');
    if (!Number.isSafeInteger(stored) || stored < 0 || !Number.isSafeInteger(stored + counterWindow)) {
      throw new OcraInputError('invalid_counter');
    }
    counters = Array.from({ length: counterWindow + 1 }, (_, i) => stored + i);
  }

  // RFC 6287 §5.1 T: the current step ± the window (clock drift and typing time); steps not after
  // the last accepted one are refused so that a code is accepted once.
  let steps: number[] = [];
  let lastUsed: number | null = null;
  if (suite.timeStep) {
    if (options.lastUsedTimeStep === undefined) throw new OcraInputError('last_used_time_step_required');
    lastUsed = options.lastUsedTimeStep;
    const current = ocraTimeStepAt(suite, now);
    for (let step = current - timeWindowSteps; step <= current + timeWindowSteps; step++) {
      if (step >= 0) steps.push(step);
    }
  }

  let replayed = false;
  for (const counter of suite.counter ? counters : [undefined]) {
    for (const timeStep of suite.timeStep ? steps : [undefined]) {
      const expected = Buffer.from(compute(suite, options.key, { ...options, counter, timeStep }), 'ascii');
      // Equal lengths are guaranteed by the format check above.
      if (!timingSafeEqual(expected, given)) continue;
      if (timeStep !== undefined && lastUsed !== null && timeStep <= lastUsed) {
        replayed = true;
        continue;
      }
      return {
        ok: true,
        ...(counter !== undefined ? { counter } : {}),
        ...(timeStep !== undefined ? { timeStep } : {}),
      };
    }
  }
  return { ok: false, reason: replayed ? 'replayed' : 'invalid_code' };
}

/** RFC 6287 §5.1 T: the number of whole time steps of the suite's size since 1970-01-01T00:00Z. */
export function ocraTimeStepAt(suite: OcraSuite, at: Date): number {
  if (!suite.timeStep) throw new OcraInputError('invalid_suite', 'the suite has no time step');
  const ms = at.getTime();
  if (!Number.isFinite(ms) || ms < 0) throw new OcraInputError('invalid_time_step');
  return Math.floor(ms / (suite.timeStep.seconds * 1000));
}

function compute(suite: OcraSuite, key: Uint8Array, values: OcraDataInputValues): string {
  // RFC 6287 §5.1: DataInput; §5.2: HMAC-H(K, DataInput) then HOTP truncation to t digits.
  const hmac = createHmac(suite.hash, key).update(buildOcraDataInput(suite, values)).digest();
  return suite.digits === 0 ? hmac.toString('hex') : hotpTruncate(hmac, suite.digits);
}

function resolveSuite(suite: string | OcraSuite): OcraSuite {
  if (typeof suite !== 'string') return suite;
  const parsed = parseOcraSuite(suite);
  if (!parsed.ok) throw new OcraInputError('invalid_suite', parsed.error);
  return parsed.suite;
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length < MIN_KEY_BYTES) {
    throw new OcraInputError('invalid_key', `at least ${MIN_KEY_BYTES} bytes`);
  }
}
