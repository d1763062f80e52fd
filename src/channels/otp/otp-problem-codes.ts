// The OTP channel's problem codes (docs/otp-channel.md).
import { problemsOf, type ProblemCatalogue } from '../../errors/problem.ts';

export const otpProblemCodes = {
  invalid_code: { status: 422, title: 'The code is not correct' },
  unsupported_suite: { status: 422, title: 'The OTP token settings are not supported' },
  payee_only_token_not_allowed: { status: 422, title: "The tenant policy does not allow OTP tokens that bind the payee only" },
  token_locked: { status: 409, title: "The customer's OTP token is locked" },
  token_removed: { status: 409, title: "The customer's OTP token was deleted" },
  otp_token_limit_reached: { status: 409, title: 'The customer has as many OTP tokens as allowed' },
} as const satisfies ProblemCatalogue;

export type OtpProblemCode = keyof typeof otpProblemCodes;

export const otpProblem = problemsOf(otpProblemCodes);
