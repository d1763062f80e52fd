// Helpers for the hold suites: a clock the test moves (never sleeps), a tenant with holds on, and the
// events a challenge produced, read from the outbox (docs/events.md).
import type { TestServer } from '../support/test-server.ts';
import { middayClock } from '../support/test-server.ts';
import { flushAudit } from '../../src/audit/audit-log.ts';

/** Real time set to about noon in Seoul (middayClock), plus whatever the test has moved it forward by. */
export function movableClock(): { clock: () => Date; advance(seconds: number): void; to(at: Date | string, deltaMs?: number): void } {
  const midday = middayClock();
  let offsetMs = 0;
  const clock = () => new Date(midday().getTime() + offsetMs);
  return {
    clock,
    advance(seconds) {
      offsetMs += seconds * 1000;
    },
    /** Moves the clock to `at` + deltaMs (only forward). */
    to(at, deltaMs = 0) {
      const target = new Date(at).getTime() + deltaMs;
      offsetMs += Math.max(0, target - clock().getTime());
    },
  };
}

export const holdPolicy = (hold: Record<string, unknown> = {}) => ({ enabled: true, minAmount: '1000000', seconds: 3600, appliesTo: ['approved', 'not_required'], stopClosesBeforeSeconds: 600, notifyCallsAfterSeconds: [0], ...hold });

/** Puts `change(document)` over the current policy version. */
export async function changePolicy(server: TestServer, tenantId: string, change: (document: any) => void): Promise<void> {
  const path = `/admin/v1/tenants/${tenantId}/policy`;
  const current = await server.admin('GET', path);
  const document = structuredClone(current.body.document);
  change(document);
  const put = await server.admin('PUT', path, document, { 'if-match': `"v${current.body.version}"` });
  if (put.status !== 200) throw new Error(`policy: ${put.status} ${JSON.stringify(put.body)}`);
}

/** The event types recorded for a challenge, oldest first. */
export async function eventTypes(server: TestServer, challengeId: string): Promise<string[]> {
  const result = await server.running.context.db.query<{ event_type: string }>('SELECT event_type FROM webhook_deliveries WHERE challenge_id = $1 ORDER BY created_at, id', [challengeId]);
  return result.rows.map((row) => row.event_type);
}

/** The audit actions recorded for a challenge (sequenced first). */
export async function auditActions(server: TestServer, challengeId: string): Promise<{ action: string; actor: string; data: Record<string, unknown> }[]> {
  const { db } = server.running.context;
  await flushAudit(db);
  const result = await db.query<{ action: string; actor: string; data: Record<string, unknown> }>('SELECT action, actor, data FROM audit_log WHERE subject = $1 ORDER BY seq', [challengeId]);
  return result.rows;
}

export const receiptClaims = (receipt: string): Record<string, unknown> => JSON.parse(Buffer.from(receipt.split('.')[1]!, 'base64url').toString('utf8'));
