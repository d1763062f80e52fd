// TOTP (RFC 6238) through otplib 13. Pure: the caller passes the token's last accepted time step
// in and stores the returned one, so a code is accepted once (RFC 6238 §5.2).
import { randomBytes } from 'node:crypto';
import { generateSync, verifySync } from 'otplib';

export { ocraUri, totpUri, type OcraUriOptions, type TotpUriOptions } from './otpauth-uri.ts';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export type TotpInputErrorCode = 'invalid_secret' | 'invalid_digits' | 'invalid_period' | 'invalid_time' | 'invalid_window';

/** Settings that cannot describe a TOTP token: the caller's bug, not a customer's wrong code. */
export class TotpInputError extends Error {
  constructor(readonly code: TotpInputErrorCode) {
    super(code);
    this.name = 'TotpInputError';
  }
}

/** RFC 4226 R6 asks for at least 128 bits (160 recommended); otplib accepts 16–64 bytes. */
const MIN_SECRET_BYTES = 16;
const MAX_SECRET_BYTES = 64;
const MAX_WINDOW_STEPS = 10;

export interface GenerateTotpOptions {
  readonly secret: Uint8Array;
  readonly algorithm?: TotpAlgorithm;
  /** 6–8 digits (RFC 6238 §4 via RFC 4226 §5.3). */
  readonly digits?: number;
  /** Time-step size X in seconds (RFC 6238 §4.1), default 30. */
  readonly period?: number;
  readonly now?: Date;
}

/** Computes the TOTP value for `now` (RFC 6238 §4.2). */
export function generateTotp(options: GenerateTotpOptions): string {
  const { secret, algorithm = 'sha1', digits = 6, period = 30, now = new Date() } = options;
  checkSettings(secret, digits, period);
  return generateSync({ strategy: 'totp', secret, algorithm, digits, period, epoch: epochSeconds(now) });
}

export interface VerifyTotpOptions extends GenerateTotpOptions {
  /** What the customer entered. */
  readonly code: string;
  /**
   * The time step of the last accepted code for this token, or null if none. Required: steps at
   * or before it are refused (replay).
   */
  readonly lastUsedTimeStep: number | null;
  /** Steps accepted on either side of the current one, default 1 (RFC 6238 §5.2). */
  readonly windowSteps?: number;
}

export type VerifyTotpResult =
  | { readonly ok: true; readonly timeStep: number; readonly delta: number }
  | { readonly ok: false; readonly reason: 'malformed_code' | 'invalid_code' | 'replayed' };

/** Verifies a TOTP code within ±`windowSteps` and refuses steps ≤ `lastUsedTimeStep`. */
export function verifyTotp(options: VerifyTotpOptions): VerifyTotpResult {
  const { secret, code, algorithm = 'sha1', digits = 6, period = 30, now = new Date(), lastUsedTimeStep } = options;
  const { windowSteps = 1 } = options;
  checkSettings(secret, digits, period);
  if (!Number.isInteger(windowSteps) || windowSteps < 0 || windowSteps > MAX_WINDOW_STEPS) {
    throw new TotpInputError('invalid_window');
  }
  if (lastUsedTimeStep !== null && (!Number.isSafeInteger(lastUsedTimeStep) || lastUsedTimeStep < 0)) {
    throw new TotpInputError('invalid_time');
  }
  // RFC 4226 §5.3: a value is exactly `digits` decimal digits. Checked here so that otplib never
  // throws on customer input.
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return { ok: false, reason: 'malformed_code' };

  const epoch = epochSeconds(now);
  const currentStep = Math.floor(epoch / period);
  const common = {
    strategy: 'totp' as const,
    secret,
    token: code,
    algorithm,
    digits,
    period,
    epoch,
    // RFC 6238 §5.2: accept the steps within ±windowSteps of the current one.
    epochTolerance: windowSteps * period,
  };

  // RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the same OTP". otplib skips
  // steps ≤ afterTimeStep; it refuses an afterTimeStep beyond the window, where nothing is left anyway.
  if (lastUsedTimeStep === null || lastUsedTimeStep < currentStep + windowSteps) {
    const result = verifySync(
      lastUsedTimeStep === null ? common : { ...common, afterTimeStep: lastUsedTimeStep },
    );
    if (result.valid && 'timeStep' in result) return { ok: true, timeStep: result.timeStep, delta: result.delta };
  }
  if (lastUsedTimeStep === null) return { ok: false, reason: 'invalid_code' };
  // Tell a replay apart from a wrong code (for the audit log): does it match an already-used step?
  const again = verifySync(common);
  return { ok: false, reason: again.valid ? 'replayed' : 'invalid_code' };
}

/** A new TOTP secret from the CSPRNG: 20 bytes (160 bits, RFC 4226 R6) unless told otherwise. */
export function generateTotpSecret(options: { readonly bytes?: number } = {}): Uint8Array {
  const { bytes = 20 } = options;
  if (!Number.isInteger(bytes) || bytes < 20 || bytes > MAX_SECRET_BYTES) throw new TotpInputError('invalid_secret');
  return new Uint8Array(randomBytes(bytes));
}

function checkSettings(secret: Uint8Array, digits: number, period: number): void {
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES) {
    throw new TotpInputError('invalid_secret');
  }
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) throw new TotpInputError('invalid_digits');
  if (!Number.isInteger(period) || period < 1 || period > 3600) throw new TotpInputError('invalid_period');
}

function epochSeconds(now: Date): number {
  const ms = now.getTime();
  if (!Number.isFinite(ms) || ms < 0) throw new TotpInputError('invalid_time');
  return Math.floor(ms / 1000);
}
