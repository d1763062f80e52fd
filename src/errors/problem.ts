// RFC 9457 problem details with a stable machine-readable `code` from a closed list.

export const problemCodes = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  malformed_url: { status: 400, title: 'The URL is not validly percent-encoded' },
  unauthorized: { status: 401, title: 'Authentication failed' },
  forbidden: { status: 403, title: 'Not allowed' },
  csrf_failed: { status: 403, title: 'The change did not come from the console (CSRF check failed)' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  idempotency_key_reused: { status: 409, title: 'The Idempotency-Key was used with a different request' },
  idempotency_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  challenge_not_pending: { status: 409, title: 'The challenge is no longer pending' },
  precondition_failed: { status: 412, title: 'The resource changed; fetch it again' },
  precondition_required: { status: 428, title: 'If-Match is required' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'The body must be application/json' },
  unprocessable: { status: 422, title: 'The request cannot be processed' },
  invalid_amount: { status: 422, title: 'The amount is not valid for its currency' },
  unsafe_callback_url: { status: 422, title: 'The callback URL is not allowed' },
  weak_secret: { status: 422, title: 'The secret is too easy to guess' },
  invalid_code: { status: 422, title: 'The code is not correct' },
  number_ineligible: { status: 422, title: 'The phone number cannot receive verification calls' },
  wrong_channel: { status: 409, title: 'The challenge is not being verified on this channel' },
  // Number vetting (docs/number-vetting.md): an ineligible phone number is 422 with the first reason as code.
  invalid_number: { status: 422, title: 'The phone number is not valid' },
  country_not_allowed: { status: 422, title: "The phone number's country is not allowed" },
  line_type_never_dialed: { status: 422, title: 'Numbers of this kind are never called' },
  line_type_not_allowed: { status: 422, title: 'The phone line type is not allowed' },
  line_type_unknown: { status: 422, title: 'The phone line type could not be established' },
  call_forwarding_active: { status: 422, title: 'Call forwarding is active on the phone number' },
  call_forwarding_unknown: { status: 422, title: 'Call forwarding could not be ruled out' },
  sim_swapped_recently: { status: 422, title: 'The SIM was swapped recently' },
  number_recently_changed: { status: 422, title: 'The phone number changed recently' },
  unsupported_suite: { status: 422, title: 'The OTP token settings are not supported' },
  token_locked: { status: 409, title: "The customer's OTP token is locked" },
  token_removed: { status: 409, title: "The customer's OTP token was deleted" },
  otp_token_limit_reached: { status: 409, title: 'The customer has as many OTP tokens as allowed' },
  // WebAuthn channel (docs/webauthn-channel.md).
  link_gone: { status: 410, title: 'The link has expired or was already used' },
  challenge_gone: { status: 410, title: 'The challenge has ended' },
  passkey_limit_reached: { status: 409, title: 'The customer already has the maximum number of passkeys' },
  passkey_rejected: { status: 422, title: 'The passkey could not be verified' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'A dependency is unavailable; retry later' },
} as const;

export type ProblemCode = keyof typeof problemCodes;

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;
  constructor(
    readonly code: ProblemCode | (string & {}),
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    status?: number,
  ) {
    super(detail ?? code);
    const known = (problemCodes as Record<string, { status: number; title: string }>)[code];
    this.status = status ?? known?.status ?? 422;
    this.title = known?.title ?? 'The request cannot be processed';
    this.name = 'ProblemError';
  }

  toBody(instance?: string): ProblemBody {
    return {
      type: `https://stepup.dev/problems/${this.code.replace(/_/g, '-')}`,
      title: this.title,
      status: this.status,
      code: this.code,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export const notFound = (what = 'resource') => new ProblemError('not_found', `No such ${what}`);
