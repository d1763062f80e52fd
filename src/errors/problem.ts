// RFC 9457 problem details with a stable machine-readable `code` from a closed list.

export const problemCodes = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  unauthorized: { status: 401, title: 'Authentication failed' },
  forbidden: { status: 403, title: 'Not allowed' },
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
  invalid_number: { status: 422, title: 'The phone number is not valid' },
  number_ineligible: { status: 422, title: 'The phone number cannot receive verification calls' },
  line_type_not_allowed: { status: 422, title: 'The policy does not allow calls to this kind of line' },
  call_forwarding_active: { status: 422, title: 'The number forwards its calls' },
  country_not_allowed: { status: 422, title: 'The policy does not allow calls to this country' },
  wrong_channel: { status: 409, title: 'The challenge is not being verified on this channel' },
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
