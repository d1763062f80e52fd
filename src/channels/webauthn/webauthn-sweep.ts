// Retention of the passkey pages' rows (docs/webauthn-channel.md, "What is kept, and for how long"):
// the maintenance sweep deletes what no page needs any more, so token hashes of dead links do not
// pile up. A swept token answers like one never issued (404).
import type { Queryable } from '../../storage/db.ts';

/**
 * How long an ended page keeps its row: a registration link after it expired or was used, a
 * confirmation row after its challenge ended. Meanwhile the page says "ended" (410); after it, 404.
 */
export const pageRecordRetentionMs = 24 * 60 * 60 * 1000;

/** Rows deleted per table and run, so one sweep never holds many row locks for long. */
export const sweepBatchSize = 500;

// A type, not an interface: it is a ChannelModule.sweep result (Record<string, number>) as it is.
export type WebAuthnSweepCounts = { registrationLinks: number; confirmations: number };

/**
 * Deletes, at most `batchSize` of each, the registration links expired or used before
 * `now - pageRecordRetentionMs`, and the confirmation rows whose challenge ended before then or
 * (created before then) was never stored. A pending challenge's row is never deleted.
 */
export async function sweepWebAuthnRecords(q: Queryable, now: Date, batchSize = sweepBatchSize): Promise<WebAuthnSweepCounts> {
  const cutoff = new Date(now.getTime() - pageRecordRetentionMs);
  // created_at < cutoff holds for every row deleted below (a link is used or expires after it was
  // created; a page is stored before its challenge ends): it lets the index narrow the scan.
  const links = await q.query(
    `DELETE FROM webauthn_registration_links
     WHERE (tenant_id, id) IN (
       SELECT tenant_id, id FROM webauthn_registration_links
       WHERE created_at < $1 AND (expires_at < $1 OR used_at < $1)
       ORDER BY created_at LIMIT $2)`,
    [cutoff, batchSize],
  );
  // The challenge is matched on its tenant too; a missing one is a page stored by a challenge
  // creation that failed, or whose challenge is gone.
  const confirmations = await q.query(
    `DELETE FROM webauthn_confirmations
     WHERE (tenant_id, challenge_id) IN (
       SELECT w.tenant_id, w.challenge_id FROM webauthn_confirmations w
       LEFT JOIN challenge_states c ON c.tenant_id = w.tenant_id AND c.id = w.challenge_id
       WHERE w.created_at < $1 AND (c.id IS NULL OR (c.status <> 'pending' AND c.completed_at < $1))
       ORDER BY w.created_at LIMIT $2)`,
    [cutoff, batchSize],
  );
  return { registrationLinks: links.rowCount, confirmations: confirmations.rowCount };
}
