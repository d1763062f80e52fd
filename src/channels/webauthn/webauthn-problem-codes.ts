// The WebAuthn channel's problem codes (docs/webauthn-channel.md).
import { problemsOf, type ProblemCatalogue } from '../../errors/problem.ts';

export const webauthnProblemCodes = {
  link_gone: { status: 410, title: 'The link has expired or was already used' },
  challenge_gone: { status: 410, title: 'The challenge has ended' },
  passkey_limit_reached: { status: 409, title: 'The customer already has the maximum number of passkeys' },
  passkey_rejected: { status: 422, title: 'The passkey could not be verified' },
} as const satisfies ProblemCatalogue;

export type WebauthnProblemCode = keyof typeof webauthnProblemCodes;

export const webauthnProblem = problemsOf(webauthnProblemCodes);
