// Checks one submitted code against one stored token. Pure (SimpleWebAuthn style): the caller
// passes the token, its seed, the question and the time in, and stores what comes back.
import { createHmac } from 'node:crypto';
import { parseOcraSuite } from './ocra-suite.ts';
import { verifyOcra } from './ocra.ts';
import { verifyTotp } from './totp.ts';
import type { AcceptedCodeState, OtpTokenRecord } from './otp-token-store.ts';

/** RFC 6287 §5.1 / docs/otp-channel.md: how far ahead of the stored counter a token may be. */
export const OCRA_COUNTER_LOOK_AHEAD = 10;

export interface CheckOtpCodeOptions {
  readonly token: OtpTokenRecord;
  readonly seed: Uint8Array;
  readonly code: string;
  /** OCRA: the question derived from the challenge's transaction. */
  readonly question?: string;
  readonly now?: Date;
}

export type OtpCodeCheck =
  | {
      readonly ok: true;
      /** Counter (OCRA C suites) or time step (TOTP) to store conditionally. */
      readonly accepted: AcceptedCodeState;
      /** OCRA suites without C: the keyed marker of this (question, time step, response), stored once. */
      readonly usedMarker?: string;
    }
  | { readonly ok: false; readonly reason: 'malformed_code' | 'invalid_code' | 'replayed' };

export function checkOtpCode(options: CheckOtpCodeOptions): OtpCodeCheck {
  const { token, seed, code, now = new Date() } = options;

  if (token.type === 'totp') {
    // RFC 6238 §5.2: ±1 step, and never a step at or before the last accepted one.
    const result = verifyTotp({ secret: seed, code, algorithm: token.algorithm, digits: token.digits, period: token.period, now, lastUsedTimeStep: token.lastTimeStep });
    return result.ok ? { ok: true, accepted: { timeStep: result.timeStep } } : result;
  }

  const parsed = parseOcraSuite(token.suite);
  if (!parsed.ok) throw new Error(`stored token ${token.id} has an invalid suite`);
  const suite = parsed.suite;
  if (options.question === undefined) throw new Error('an OCRA check needs the question');
  const result = verifyOcra({
    suite,
    key: seed,
    code,
    question: options.question,
    now,
    // RFC 6287 §5.1 C: look ahead of the stored counter; T: ±1 step (once-only is handled below).
    ...(suite.counter ? { counter: token.counter ?? 0, counterWindow: OCRA_COUNTER_LOOK_AHEAD } : {}),
    ...(suite.timeStep ? { timeWindowSteps: 1, lastUsedTimeStep: null } : {}),
  });
  if (!result.ok) return result;
  // Counter suites: the counter moves past the matched value, conditionally (RFC 6287 §5.1).
  if (result.counter !== undefined) return { ok: true, accepted: { counter: { expected: token.counter ?? 0, next: result.counter + 1 } } };
  // Otherwise the same question (in the same time step, for T suites) always gives the same
  // response, so that (question, step, response) is what is used up. Unlike a "last step" this
  // lets one token approve two different payees within one step, and still accepts a code once.
  // Keyed with the seed so the stored marker reveals nothing about the code.
  const usedMarker = createHmac('sha256', seed)
    .update(`ocra-used\u0000${options.question}\u0000${result.timeStep ?? ''}\u0000${code.toLowerCase()}`)
    .digest('hex');
  return { ok: true, accepted: {}, usedMarker };
}
