// Per-challenge OTP submissions (docs/otp-channel.md attemptsRemaining, §10 "failed attempts count per
// challenge"). A submission reserves an attempt before the code is checked: the upsert's row lock
// orders concurrent submissions for one challenge, and once a code was accepted no further
// attempt is granted, so a late wrong code can never deny an approved challenge.
import type { Queryable } from '../../storage/db.ts';

export class OtpAttemptStore {
  /** Takes one attempt; null when `maxAttempts` are used up or a code was already accepted. */
  async reserve(q: Queryable, tenantId: string, challengeId: string, maxAttempts: number): Promise<{ attempts: number } | null> {
    const result = await q.query<{ attempts: number }>(
      `INSERT INTO otp_challenge_attempts (tenant_id, challenge_id, attempts) VALUES ($1, $2, 1)
       ON CONFLICT (tenant_id, challenge_id) DO UPDATE SET attempts = otp_challenge_attempts.attempts + 1
         WHERE otp_challenge_attempts.attempts < $3 AND NOT otp_challenge_attempts.accepted
       RETURNING attempts`,
      [tenantId, challengeId, maxAttempts],
    );
    return result.rows[0] ?? null;
  }

  async markAccepted(q: Queryable, tenantId: string, challengeId: string): Promise<void> {
    await q.query(`UPDATE otp_challenge_attempts SET accepted = true WHERE tenant_id = $1 AND challenge_id = $2`, [tenantId, challengeId]);
  }

  async get(q: Queryable, tenantId: string, challengeId: string): Promise<{ attempts: number; accepted: boolean } | null> {
    const result = await q.query<{ attempts: number; accepted: boolean }>(
      `SELECT attempts, accepted FROM otp_challenge_attempts WHERE tenant_id = $1 AND challenge_id = $2`,
      [tenantId, challengeId],
    );
    return result.rows[0] ?? null;
  }
}
