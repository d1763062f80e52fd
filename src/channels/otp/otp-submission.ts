// POST /v1/challenges/{id}/otp (docs/otp-channel.md): one code against the challenge's token.
//
//   1. reserve an attempt for the challenge (none left, or a code already accepted: no check);
//   2. check the code against the question re-derived from the stored transaction;
//   3. success: advance the token's state conditionally (counter / TOTP step / used marker), so
//      a code is accepted once even when submitted twice at the same moment; failure: count it
//      per token too and lock the token at maxAttempts consecutive failures;
//   4. in the same transaction, end the challenge through ChallengeService.finishIn.
// Wrong codes never say which part was wrong: wrong, replayed and malformed are all invalid_code.
import { appendAudit } from '../../audit/audit-log.ts';
import type { ChallengeRecord } from '../../challenges/challenge-record.ts';
import type { ChallengeOutcomes } from '../channel.ts';
import { ProblemError } from '../../errors/problem.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Db, Queryable } from '../../storage/db.ts';
import type { Outcome } from '../../challenges/challenge-service.ts';
import { challengeQuestion } from './otp-challenge-question.ts';
import type { OtpChannelState } from './otp-channel.ts';
import { checkOtpCode } from './otp-code-check.ts';
import type { OtpAttemptStore } from './otp-attempt-store.ts';
import type { OtpTokenRecord, OtpTokenStore } from './otp-token-store.ts';
import type { Clock } from '../../time/clock.ts';
import { otpProblem } from './otp-problem-codes.ts';

export interface OtpSubmissionDeps {
  db: Db;
  tokens: OtpTokenStore;
  attempts: OtpAttemptStore;
  challenges: ChallengeOutcomes;
  logger: Logger;
  /** Now, for time-step suites (the application's injectable clock). */
  clock: Clock;
}

type Verdict =
  | { kind: 'accepted' }
  | { kind: 'rejected'; attemptsRemaining: number }
  | { kind: 'no_attempts_left' }
  | { kind: 'already_accepted' }
  | { kind: 'token_locked' }
  | { kind: 'token_removed' };

export class OtpSubmissionService {
  constructor(private readonly deps: OtpSubmissionDeps) {}

  /** Returns the approved challenge, or throws the problem the bank gets. */
  async submit(tenantId: string, challengeId: string, code: string): Promise<ChallengeRecord> {
    const { challenges } = this.deps;
    const challenge = await challenges.get(tenantId, challengeId);
    if (challenge.channel !== 'otp') throw new ProblemError('wrong_channel', 'The challenge is not being verified by OTP');
    if (challenge.status !== 'pending') throw notPending(challenge);
    const state = challenge.channelState as unknown as OtpChannelState;

    const actor = 'channel:otp';
    const auditData = { tokenId: state.tokenId };
    const outcomeOf = (verdict: Verdict): Outcome | null => {
      switch (verdict.kind) {
        case 'accepted':
          return { status: 'approved', reason: 'otp_verified', actor, auditData };
        case 'rejected':
          return verdict.attemptsRemaining > 0 ? null : { status: 'denied', reason: 'too_many_failures', actor, auditData };
        case 'no_attempts_left':
          return { status: 'denied', reason: 'too_many_failures', actor, auditData };
        case 'token_locked':
        case 'token_removed':
          return { status: 'failed', reason: verdict.kind, actor, auditData };
        case 'already_accepted':
          return null;
      }
    };
    // The code's verdict (spent, counted) and the challenge's transition commit together: a crash or
    // an outage between them can no longer spend a right code without approving the challenge.
    const { verdict, finished } = await this.deps.db.tx(async (tx) => {
      const judged = await this.judge(tx, challenge, state, code);
      const outcome = outcomeOf(judged);
      return { verdict: judged, finished: outcome ? await challenges.finishIn(tx, outcome, challenge) : null };
    });
    await finished?.afterCommit();
    switch (verdict.kind) {
      case 'accepted':
        // Expired or canceled between the check and here: the code is spent, the challenge is not approved.
        if (finished!.challenge.status !== 'approved') throw notPending(finished!.challenge);
        return finished!.challenge;
      case 'rejected':
        if (verdict.attemptsRemaining > 0) throw invalidCode(verdict.attemptsRemaining);
        throw invalidCode(0, finished!.challenge.status);
      case 'no_attempts_left':
        throw notPending(finished!.challenge);
      case 'already_accepted':
        throw new ProblemError('challenge_not_pending', 'A code was already accepted for this challenge');
      case 'token_locked':
      case 'token_removed':
        throw otpProblem(verdict.kind, verdict.kind === 'token_locked' ? "The customer's token is locked" : "The customer's token was deleted");
    }
  }

  private async judge(tx: Queryable, challenge: ChallengeRecord, state: OtpChannelState, code: string): Promise<Verdict> {
    const { tokens, attempts } = this.deps;
    const { tenantId, id: challengeId } = challenge;
    const reserved = await attempts.reserve(tx, tenantId, challengeId, state.maxAttempts);
    if (!reserved) return (await attempts.get(tx, tenantId, challengeId))?.accepted ? { kind: 'already_accepted' } : { kind: 'no_attempts_left' };

    const token = await tokens.get(tx, tenantId, state.tokenId);
    if (!token) return { kind: 'token_removed' };
    if (token.lockedAt) return { kind: 'token_locked' };

    const derived = challengeQuestion(token, challenge.transaction);
    if (!derived.ok) throw new Error(`question no longer derivable for ${challengeId}: ${derived.reason}`);
    const seed = await tokens.seed(tx, token);
    let check: ReturnType<typeof checkOtpCode>;
    try {
      check = checkOtpCode({ token, seed, code, now: this.deps.clock(), ...(derived.question !== undefined ? { question: derived.question } : {}) });
    } finally {
      seed.fill(0);
    }

    const audit = (action: string, data: Record<string, unknown>) =>
      appendAudit(tx, { tenantId, actor: 'channel:otp', action, subject: challengeId, data: { customerId: challenge.customerId, tokenId: token.id, attempt: reserved.attempts, ...data } });

    if (check.ok) {
      // Once-only (docs/otp-channel.md): OCRA suites without counter burn the (question, step, response);
      // counter suites and TOTP move counter / time step only from the state they were verified against.
      const fresh = (!check.usedMarker || (await tokens.rememberResponse(tx, tenantId, token.id, check.usedMarker))) && (await tokens.recordSuccess(tx, tenantId, token.id, check.accepted));
      if (fresh) {
        await attempts.markAccepted(tx, tenantId, challengeId);
        await audit('otp.code_accepted', { ...(check.accepted.counter ? { counter: check.accepted.counter.next - 1 } : {}), ...(check.accepted.timeStep !== undefined ? { timeStep: check.accepted.timeStep } : {}) });
        return { kind: 'accepted' };
      }
    }
    const reason = check.ok ? 'replayed' : check.reason;
    return this.reject(tx, token, state, reserved.attempts, reason, audit);
  }

  private async reject(
    tx: Queryable,
    token: OtpTokenRecord,
    state: OtpChannelState,
    attemptsUsed: number,
    reason: string,
    audit: (action: string, data: Record<string, unknown>) => Promise<void>,
  ): Promise<Verdict> {
    const failure = await this.deps.tokens.recordFailure(tx, token.tenantId, token.id, state.maxAttempts);
    await audit('otp.code_rejected', { reason, tokenFailures: failure?.failures ?? null });
    if (failure?.newlyLocked) await audit('otp.token_locked', { tokenFailures: failure.failures });
    this.deps.logger.info({ tokenId: token.id, attempt: attemptsUsed, reason }, 'otp code rejected');
    // A token locked by this failure cannot answer again: the challenge ends now.
    const attemptsRemaining = failure?.newlyLocked ? 0 : Math.max(0, state.maxAttempts - attemptsUsed);
    return { kind: 'rejected', attemptsRemaining };
  }
}

function invalidCode(attemptsRemaining: number, challengeStatus?: string): ProblemError {
  return otpProblem('invalid_code', 'The code is not correct', { attemptsRemaining, ...(challengeStatus ? { challengeStatus } : {}) });
}

function notPending(challenge: ChallengeRecord): ProblemError {
  return new ProblemError('challenge_not_pending', `The challenge is already ${challenge.status}`, { challengeStatus: challenge.status });
}
