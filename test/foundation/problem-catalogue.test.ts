// Problem codes are declared by the core (src/errors/problem.ts) and by each channel in its folder;
// the merged catalogue keeps every code the API has always answered with, each meaning one thing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { problemCatalogue } from '../../src/server/problem-catalogue.ts';
import { channelModules } from '../../src/server/channel-modules.ts';
import { ProblemError } from '../../src/errors/problem.ts';
import { otpProblem } from '../../src/channels/otp/otp-problem-codes.ts';
import { webauthnProblem } from '../../src/channels/webauthn/webauthn-problem-codes.ts';
import { arsProblem } from '../../src/channels/ars/ars-problem-codes.ts';

test('the core and the channel modules together declare every problem code the API has answered with, once', () => {
  const catalogue = problemCatalogue(channelModules);
  // Every code the API has answered with is still declared (a module may add its own).
  const answered = [
    'approver_not_distinct', 'call_forwarding_active', 'call_forwarding_unknown', 'challenge_gone', 'challenge_not_held', 'challenge_not_pending', 'conflict',
    'country_not_allowed', 'csrf_failed', 'forbidden', 'hold_released', 'hold_stop_closed', 'idempotency_in_progress', 'idempotency_key_reused',
    'internal_error', 'invalid_amount', 'invalid_code', 'invalid_number', 'line_type_never_dialed',
    'line_type_not_allowed', 'line_type_unknown', 'link_gone', 'malformed_json', 'malformed_url',
    'method_not_allowed', 'not_found', 'number_ineligible', 'number_recently_changed', 'otp_token_limit_reached',
    'passkey_limit_reached', 'passkey_rejected', 'payee_only_token_not_allowed', 'payload_too_large', 'precondition_failed', 'precondition_required',
    'proposal_closed', 'proposal_expired', 'proposal_stale',
    'rate_limited', 'request_aborted', 'service_unavailable', 'sim_swapped_recently', 'token_locked', 'token_removed', 'unauthorized',
    'unprocessable', 'unsafe_callback_url', 'unsupported_media_type', 'unsupported_suite', 'validation_failed',
    'weak_secret', 'wrong_channel',
  ];
  assert.deepEqual(answered.filter((code) => !Object.hasOwn(catalogue, code)), []);
});

test('a code declared twice is refused, naming both declarations', () => {
  assert.throws(
    () => problemCatalogue([...channelModules, { name: 'copycat', problemCodes: { token_locked: { status: 423, title: 'Locked' } } }]),
    /problem code "token_locked" of the copycat module is already declared by the otp module/,
  );
  assert.throws(() => problemCatalogue([{ name: 'copycat', problemCodes: { not_found: { status: 404, title: 'Gone' } } }]), /already declared by the core/);
});

test("a channel's problem carries its own status and title, as the central list had them", () => {
  const cases: [ProblemError, number, string][] = [
    [otpProblem('token_locked'), 409, "The customer's OTP token is locked"],
    [otpProblem('invalid_code'), 422, 'The code is not correct'],
    [webauthnProblem('link_gone'), 410, 'The link has expired or was already used'],
    [webauthnProblem('passkey_limit_reached'), 409, 'The customer already has the maximum number of passkeys'],
    [arsProblem('weak_secret'), 422, 'The secret is too easy to guess'],
    [new ProblemError('wrong_channel'), 409, 'The challenge is not being verified on this channel'],
  ];
  for (const [problem, status, title] of cases) {
    assert.equal(problem.status, status, problem.code);
    assert.equal(problem.title, title, problem.code);
    assert.equal(problem.toBody().type, `https://stepup.dev/problems/${problem.code.replace(/_/g, '-')}`);
  }
});
