import type { Db } from '../storage/db.ts';

export interface DeliveryRow {
  id: string;
  tenant_id: string;
  challenge_id: string;
  event_type: string;
  url: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

export class DeliveryStore {
  constructor(private readonly db: Db) {}

  async get(tenantId: string, id: string): Promise<DeliveryRow | null> {
    const result = await this.db.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return result.rows[0] ?? null;
  }

  async recordAttempt(tenantId: string, id: string, attempt: { statusCode?: number; error?: string; durationMs: number; delivered: boolean; final: boolean }): Promise<void> {
    await this.db.tx(async (tx) => {
      const updated = await tx.query<{ attempts: number }>(
        `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = $3, last_error = $4,
           status = CASE WHEN $5::boolean THEN 'delivered' WHEN $6::boolean THEN 'failed' ELSE status END,
           delivered_at = CASE WHEN $5::boolean THEN now() ELSE delivered_at END
         WHERE tenant_id = $1 AND id = $2 RETURNING attempts`,
        [tenantId, id, attempt.statusCode ?? null, attempt.error ?? null, attempt.delivered, attempt.final],
      );
      const number = updated.rows[0]?.attempts;
      if (number === undefined) return;
      await tx.query(
        'INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)',
        [id, number, attempt.statusCode ?? null, attempt.error ?? null, attempt.durationMs],
      );
    });
  }

  async listForTenant(tenantId: string, options: { challengeId?: string; status?: string; limit: number }) {
    const result = await this.db.query<DeliveryRow>(
      `SELECT * FROM webhook_deliveries WHERE tenant_id = $1
         AND ($2::text IS NULL OR challenge_id = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY created_at DESC LIMIT $4`,
      [tenantId, options.challengeId ?? null, options.status ?? null, options.limit],
    );
    return result.rows;
  }

  async attempts(tenantId: string, deliveryId: string) {
    const result = await this.db.query<{ attempt: number; attempted_at: Date; status_code: number | null; error: string | null; duration_ms: number }>(
      `SELECT a.attempt, a.attempted_at, a.status_code, a.error, a.duration_ms FROM webhook_attempts a
       JOIN webhook_deliveries d ON d.id = a.delivery_id
       WHERE d.tenant_id = $1 AND a.delivery_id = $2 ORDER BY a.attempt`,
      [tenantId, deliveryId],
    );
    return result.rows;
  }

  /**
   * Deliveries still pending well after creation with no attempt, in every tenant (the sweeper's
   * system-wide look): handed to the queue again, each with its tenant.
   */
  async stuck(limit: number): Promise<{ tenantId: string; deliveryId: string }[]> {
    const result = await this.db.query<{ tenant_id: string; id: string }>(
      `SELECT tenant_id, id FROM webhook_deliveries WHERE status = 'pending' AND attempts = 0 AND created_at < now() - interval '60 seconds' ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return result.rows.map((row) => ({ tenantId: row.tenant_id, deliveryId: row.id }));
  }
}
