// Outbox for bank events (docs/events.md): the delivery row is written in the same transaction as the state
// change it reports, so an event is never lost between the database and the queue.
import type { Queryable } from '../storage/db.ts';
import { newId } from '../crypto/hashing.ts';

export interface EventRecord {
  tenantId: string;
  challengeId: string;
  type: string;
  url: string;
  payload: Record<string, unknown>;
}

export async function recordEvent(tx: Queryable, event: EventRecord): Promise<string> {
  const id = newId('evt', 12);
  await tx.query(
    `INSERT INTO webhook_deliveries (id, tenant_id, challenge_id, event_type, url, payload, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'pending')`,
    [id, event.tenantId, event.challengeId, event.type, event.url, JSON.stringify({ type: event.type, timestamp: new Date().toISOString(), data: event.payload })],
  );
  return id;
}

/** Hands a committed delivery to the queue; the id makes a second hand-over a no-op. */
export interface EventDispatcher {
  dispatch(delivery: { tenantId: string; deliveryId: string }): Promise<void>;
}
