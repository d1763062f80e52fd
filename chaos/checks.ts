// What a chaos run must never show, counted from the database, the simulator and the bank's side.
// Every count here must be zero; the run exits non-zero otherwise (docs/reliability.md).
import pg from 'pg';
import type { SimCallView } from '@stepup/telephony-simulator';
import type { Session, LoadStats } from './bank-load.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';
import { attemptIdOf, type PressedAnswer } from './call-answerer.ts';

export interface CheckRow {
  check: string;
  count: number;
  examples: string[];
}

interface ChallengeRow {
  id: string;
  status: string;
  fraud_reported: boolean;
  expires_at: Date;
  hold_state: string | null;
}

/** The hold's own events (docs/holds.md): one more per held challenge, after the one of its end. */
const isHoldEvent = (type: string) => type.startsWith('challenge.hold_');

const row = (check: string, offenders: string[]): CheckRow => ({ check, count: offenders.length, examples: offenders.slice(0, 3) });

export async function runChecks(input: {
  databaseUrl: string;
  sessions: Session[];
  stats: LoadStats;
  receiver: WebhookReceiver;
  /** Every call the simulator reported during the run (across its restarts). */
  calls: SimCallView[];
  pressed: PressedAnswer[];
}): Promise<CheckRow[]> {
  const client = new pg.Client({ connectionString: input.databaseUrl });
  await client.connect();
  try {
    const ids = input.sessions.flatMap((session) => (session.challengeId ? [session.challengeId] : []));
    const challenges = new Map<string, ChallengeRow>();
    const found = await client.query<ChallengeRow>('SELECT id, status, fraud_reported, expires_at, hold_state FROM challenges WHERE id = ANY($1)', [ids]);
    for (const challenge of found.rows) challenges.set(challenge.id, challenge);
    const bySession = (session: Session) => (session.challengeId ? challenges.get(session.challengeId) : undefined);
    const rows: CheckRow[] = [];

    rows.push(row('creates without a definite answer', input.sessions.filter((s) => s.unresolved).map((s) => `${s.customerId}: ${s.unresolved}`)));
    rows.push(row('challenges created but not terminal', input.sessions.filter((s) => s.challengeId && bySession(s)?.status === 'pending').map((s) => s.challengeId!)));
    rows.push(row('challenges answered to the bank but not stored', input.sessions.filter((s) => s.challengeId && !bySession(s)).map((s) => s.challengeId!)));

    const overdue = await client.query<{ id: string }>(`SELECT id FROM challenges WHERE status = 'pending' AND expires_at < now() - interval '10 seconds'`);
    rows.push(row('pending past expiry', overdue.rows.map((r) => r.id)));

    // Every audit entry, chained or still waiting in the inbox for the sequencer.
    const auditEntries = '(SELECT subject, action FROM audit_log UNION ALL SELECT subject, action FROM audit_inbox) AS audit';
    const twiceDecided = await client.query<{ subject: string }>(
      `SELECT subject FROM ${auditEntries}
        WHERE action IN ('challenge.approved', 'challenge.denied', 'challenge.expired', 'challenge.canceled', 'challenge.failed')
       GROUP BY subject HAVING count(*) > 1`,
    );
    rows.push(row('challenges decided twice (audit)', twiceDecided.rows.map((r) => r.subject)));
    const twoEvents = await client.query<{ challenge_id: string }>(
      `SELECT challenge_id FROM webhook_deliveries WHERE event_type LIKE 'challenge.%' AND event_type NOT LIKE 'challenge.hold\_%' GROUP BY challenge_id HAVING count(*) > 1`,
    );
    rows.push(row('challenges with two events (outbox)', twoEvents.rows.map((r) => r.challenge_id)));
    const eventsOf = (events: Map<string, { type: string }>, hold: boolean) => [...events.values()].filter((event) => isHoldEvent(event.type) === hold).length;
    rows.push(row('challenges with two events (received)', [...input.receiver.accepted].filter(([, events]) => eventsOf(events, false) > 1).map(([id]) => id)));

    // Holds (docs/holds.md): each held transfer leaves `held` once — released or stopped, never both,
    // never twice — with one event, and none stays held long past its release time (the sweep runs every 30 s).
    const holdEndedTwice = await client.query<{ subject: string }>(
      `SELECT subject FROM ${auditEntries}
        WHERE action IN ('challenge.hold_released', 'challenge.hold_stopped') GROUP BY subject HAVING count(*) > 1`,
    );
    rows.push(row('holds released or stopped twice (audit)', holdEndedTwice.rows.map((r) => r.subject)));
    const holdTwoEvents = await client.query<{ challenge_id: string }>(
      `SELECT challenge_id FROM webhook_deliveries WHERE event_type LIKE 'challenge.hold\_%' GROUP BY challenge_id HAVING count(*) > 1`,
    );
    rows.push(row('holds with two hold events (outbox)', holdTwoEvents.rows.map((r) => r.challenge_id)));
    rows.push(row('holds with two hold events (received)', [...input.receiver.accepted].filter(([, events]) => eventsOf(events, true) > 1).map(([id]) => id)));
    const overdueHolds = await client.query<{ id: string }>(`SELECT id FROM challenges WHERE hold_state = 'held' AND hold_release_at < now() - interval '45 seconds'`);
    rows.push(row('holds past their release time', overdueHolds.rows.map((r) => r.id)));

    // The bank's key under the run's normal load, faults and retries included, is no stolen key
    // (docs/security.md "Key protections"): every signal raised here is a false positive.
    const keySignals = await client.query<{ subject: string; signal: string }>(
      `SELECT subject, data->>'signal' AS signal FROM audit_log WHERE action IN ('security.key_anomaly', 'security.admin_new_network')
       UNION ALL SELECT subject, data->>'signal' AS signal FROM audit_inbox WHERE action IN ('security.key_anomaly', 'security.admin_new_network')`,
    );
    rows.push(row('security signals raised by normal load (false positives)', keySignals.rows.map((r) => `${r.signal} ${r.subject}`)));

    const callsByAttempt = new Map<string, number>();
    for (const call of input.calls) {
      const attempt = attemptIdOf(call.url);
      if (attempt) callsByAttempt.set(attempt, (callsByAttempt.get(attempt) ?? 0) + 1);
    }
    rows.push(row('calls placed twice for one attempt', [...callsByAttempt].filter(([, count]) => count > 1).map(([attempt]) => attempt)));

    // Every right answer or `*` the customer gave must decide the challenge — calls that ended with
    // an application error included: the customer pressed the keys either way.
    const attempts = await client.query<{ id: string; challenge_id: string; attempt_number: number; status: string; end_reason: string | null }>(
      'SELECT id, challenge_id, attempt_number, status, end_reason FROM ars_call_attempts ORDER BY attempt_number',
    );
    const challengeOfAttempt = new Map(attempts.rows.map((r) => [r.id, r.challenge_id]));
    const decisive = input.pressed.filter((answer) => answer.kind !== 'wrong');
    const decisiveIds = [...new Set(decisive.map((answer) => challengeOfAttempt.get(answer.attemptId)).filter((id): id is string => Boolean(id)))];
    const decided = new Map(
      (await client.query<ChallengeRow & { result_reason: string | null }>('SELECT id, status, fraud_reported, expires_at, result_reason FROM challenges WHERE id = ANY($1)', [decisiveIds])).rows.map((r) => [r.id, r]),
    );
    rows.push(
      row(
        'answers given but not applied',
        decisive
          .filter((answer) => {
            const challenge = decided.get(challengeOfAttempt.get(answer.attemptId) ?? '');
            if (!challenge) return true;
            return answer.kind === 'right' ? challenge.status !== 'approved' : !(challenge.status === 'denied' && challenge.fraud_reported);
          })
          .map((answer) => {
            const challenge = decided.get(challengeOfAttempt.get(answer.attemptId) ?? '');
            const attemptsOfIt = attempts.rows.filter((a) => a.challenge_id === challenge?.id).map((a) => `${a.attempt_number}:${a.end_reason ?? a.status}`);
            const pressedOn = attempts.rows.find((a) => a.id === answer.attemptId)?.attempt_number ?? '?';
            return `${answer.kind} on ${answer.attemptId} (attempt ${pressedOn}; challenge ${challenge ? `${challenge.id} ${challenge.status}/${challenge.result_reason}` : 'unknown'}; attempts ${attemptsOfIt.join(' ')})`;
          }),
      ),
    );
    rows.push(
      row(
        'approved without a right answer',
        input.sessions.filter((s) => (s.scenario === 'ars_wrong' || s.scenario === 'ars_unanswered' || s.scenario === 'ars_star') && bySession(s)?.status === 'approved').map((s) => s.challengeId!),
      ),
    );
    rows.push(
      row(
        'OTP codes accepted but not approved',
        input.sessions.filter((s) => s.otpSubmitted && bySession(s)?.status !== 'approved').map((s) => s.challengeId!),
      ),
    );

    const emptyPayloads = await client.query<{ id: string }>(
      `SELECT id FROM webhook_deliveries WHERE event_type LIKE 'challenge.%' AND (payload->'data' IS NULL OR payload->'data' = '{}'::jsonb OR payload->'data'->>'id' IS DISTINCT FROM challenge_id)`,
    );
    rows.push(row('events with an empty or wrong payload (outbox)', emptyPayloads.rows.map((r) => r.id)));
    const wrongReceived: string[] = [];
    for (const [id, events] of input.receiver.accepted) {
      const stored = challenges.get(id) ?? (await client.query<ChallengeRow>('SELECT id, status, fraud_reported, expires_at, hold_state FROM challenges WHERE id = $1', [id])).rows[0];
      for (const event of events.values()) {
        // Only challenge events describe a challenge; the run's set-up sends a policy.changed too.
        if (!event.type.startsWith('challenge.')) continue;
        const hold = (event.data as { hold?: { state?: string } | null }).hold;
        // A hold may have left `held` after `challenges` was read: its event is checked against a fresh read
        // (the event is sent only once the change has committed).
        const holdState = isHoldEvent(event.type) ? (await client.query<{ hold_state: string | null }>('SELECT hold_state FROM challenges WHERE id = $1', [id])).rows[0]?.hold_state : undefined;
        const wrong = isHoldEvent(event.type)
          ? !stored || event.type !== `challenge.hold_${holdState}` || hold?.state !== holdState
          : !stored || event.type !== `challenge.${stored.status}` || event.data.status !== stored.status || !event.data.result;
        if (wrong) wrongReceived.push(`${event.webhookId} (${event.type}) for ${id}`);
      }
    }
    rows.push(row('events with an empty or wrong payload (received)', wrongReceived));
    rows.push(
      row(
        'decisions that never reached the bank',
        input.sessions
          .filter((s) => s.challengeId && s.createdStatus !== 'not_required' && bySession(s) && bySession(s)!.status !== 'pending' && !input.receiver.accepted.has(s.challengeId))
          .map((s) => s.challengeId!),
      ),
    );
    rows.push(row('webhooks with a bad signature', Array.from({ length: input.receiver.badSignatures }, () => 'bad signature')));

    const stuckKeys = await client.query<{ idempotency_key: string }>(
      `SELECT idempotency_key FROM idempotency_keys WHERE status_code IS NULL AND created_at < now() - interval '30 seconds'`,
    );
    rows.push(row('stuck idempotency keys', stuckKeys.rows.map((r) => r.idempotency_key)));
    const stuckAttempts = await client.query<{ id: string; status: string }>(`SELECT id, status FROM ars_call_attempts WHERE status <> 'ended'`);
    rows.push(row('stuck call attempts', stuckAttempts.rows.map((r) => `${r.id} (${r.status})`)));
    rows.push(row('5xx other than 503 with Retry-After', [...input.stats.bad5xx].flatMap(([key, count]) => Array.from({ length: count }, () => key))));
    return rows;
  } finally {
    await client.end();
  }
}
