// The ARS channel's part of a challenge's admin timeline (docs/console.md): its call attempts, from its
// own table, in the tenant's scope. The console renders it from arsConsole's timeline section.
import { z } from 'zod';
import type { Queryable } from '../../storage/db.ts';

export const callAttemptView = z.object({
  attempt: z.number().int(),
  status: z.string(),
  endReason: z.string().nullable(),
  answeredBy: z.string().nullable(),
  answersGiven: z.number().int(),
  noInputs: z.number().int(),
  createdAt: z.string(),
  answeredAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});

interface CallAttemptRow {
  attempt_number: number;
  status: string;
  end_reason: string | null;
  answered_by: string | null;
  answers_given: number;
  no_inputs: number;
  created_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
}

export async function arsTimeline(db: Queryable, tenantId: string, challengeId: string): Promise<{ callAttempts: z.infer<typeof callAttemptView>[] }> {
  const calls = await db.query<CallAttemptRow>(
    `SELECT attempt_number, status, end_reason, answered_by, answers_given, no_inputs, created_at, answered_at, ended_at
       FROM ars_call_attempts WHERE tenant_id = $1 AND challenge_id = $2 ORDER BY attempt_number`,
    [tenantId, challengeId],
  );
  return {
    callAttempts: calls.rows.map((call) => ({
      attempt: call.attempt_number,
      status: call.status,
      endReason: call.end_reason,
      answeredBy: call.answered_by,
      answersGiven: call.answers_given,
      noInputs: call.no_inputs,
      createdAt: call.created_at.toISOString(),
      answeredAt: call.answered_at?.toISOString() ?? null,
      endedAt: call.ended_at?.toISOString() ?? null,
    })),
  };
}
