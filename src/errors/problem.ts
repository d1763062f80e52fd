// RFC 9457 problem details with a stable machine-readable `code` from a closed list: the core codes
// below plus each channel's own (`src/channels/<channel>/<channel>-problem-codes.ts`, raised with
// `problemsOf(catalogue)`); src/server/problem-catalogue.ts merges them and refuses a code declared twice.

/** What a code means: its HTTP status and its fixed title. */
export interface ProblemKind {
  status: number;
  title: string;
}

export type ProblemCatalogue = Record<string, ProblemKind>;

export const problemCodes = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  malformed_url: { status: 400, title: 'The URL is not validly percent-encoded' },
  request_aborted: { status: 400, title: 'The request body did not arrive whole' },
  unauthorized: { status: 401, title: 'Authentication failed' },
  forbidden: { status: 403, title: 'Not allowed' },
  csrf_failed: { status: 403, title: 'The change did not come from the console (CSRF check failed)' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  idempotency_key_reused: { status: 409, title: 'The Idempotency-Key was used with a different request' },
  idempotency_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  challenge_not_pending: { status: 409, title: 'The challenge is no longer pending' },
  challenge_not_held: { status: 409, title: 'The challenge holds no transfer' },
  hold_stop_closed: { status: 409, title: 'The transfer can no longer be stopped' },
  hold_released: { status: 409, title: 'The transfer was already released' },
  proposal_closed: { status: 409, title: 'The policy proposal is no longer open' },
  proposal_expired: { status: 409, title: 'The policy proposal expired' },
  proposal_stale: { status: 409, title: 'The policy changed since the proposal was made' },
  approver_not_distinct: { status: 403, title: 'The proposal needs an approval by another admin' },
  precondition_failed: { status: 412, title: 'The resource changed; fetch it again' },
  precondition_required: { status: 428, title: 'If-Match is required' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'The body must be application/json' },
  unprocessable: { status: 422, title: 'The request cannot be processed' },
  invalid_amount: { status: 422, title: 'The amount is not valid for its currency' },
  unsafe_callback_url: { status: 422, title: 'The callback URL is not allowed' },
  wrong_channel: { status: 409, title: 'The challenge is not being verified on this channel' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'A dependency is unavailable; retry later' },
} as const satisfies ProblemCatalogue;

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
  readonly code: string;
  readonly detail: string | undefined;
  readonly extensions: Record<string, unknown>;
  /** A core code; `status` overrides its status. */
  constructor(code: ProblemCode, detail?: string, extensions?: Record<string, unknown>, status?: number);
  /** Any other code (a channel's, see problemsOf) comes with what it means. */
  constructor(code: string, detail: string | undefined, extensions: Record<string, unknown> | undefined, kind: ProblemKind);
  constructor(code: string, detail?: string, extensions: Record<string, unknown> = {}, kind?: number | ProblemKind) {
    super(detail ?? code);
    const known = typeof kind === 'object' ? kind : (problemCodes as ProblemCatalogue)[code];
    this.code = code;
    this.detail = detail;
    this.extensions = extensions;
    this.status = (typeof kind === 'number' ? kind : undefined) ?? known?.status ?? 422;
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

/**
 * Raises the codes of a catalogue declared outside this file (a channel's), with their status and
 * title: `const otpProblem = problemsOf(otpProblemCodes); throw otpProblem('token_locked', '…')`.
 */
export function problemsOf<Catalogue extends ProblemCatalogue>(catalogue: Catalogue) {
  return (code: keyof Catalogue & string, detail?: string, extensions?: Record<string, unknown>): ProblemError =>
    new ProblemError(code, detail, extensions, catalogue[code] ?? problemCodes.unprocessable);
}
