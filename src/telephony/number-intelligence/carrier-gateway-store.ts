// Per-tenant carrier gateway settings (migration 004): URL, signing secret (envelope-encrypted),
// timeout, enabled. Every query is scoped by tenant_id.
import { randomBytes } from 'node:crypto';
import type { Envelope } from '../../crypto/envelope.ts';
import type { Queryable } from '../../storage/db.ts';

export interface CarrierGateway {
  tenantId: string;
  url: string;
  timeoutMs: number;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What a vetting needs to call the gateway. */
export interface CarrierGatewayTarget {
  url: string;
  secret: string;
  timeoutMs: number;
  /** Plain-http loopback allowed (development): the server flag and the tenant's both set. */
  allowLoopback: boolean;
}

interface GatewayRow {
  tenant_id: string;
  url: string;
  secret_enc: string;
  timeout_ms: number;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const secretContext = (tenantId: string) => `carrier-gateway:${tenantId}`;
const toGateway = (row: GatewayRow): CarrierGateway => ({
  tenantId: row.tenant_id,
  url: row.url,
  timeoutMs: Number(row.timeout_ms),
  enabled: row.enabled,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

/** Standard Webhooks secrets: `whsec_` + base64 of 24–64 random bytes. */
export const generateGatewaySecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export class CarrierGatewayStore {
  constructor(
    private readonly db: Queryable,
    private readonly envelope: Envelope,
  ) {}

  async get(tenantId: string, db: Queryable = this.db): Promise<CarrierGateway | undefined> {
    const result = await db.query<GatewayRow>('SELECT * FROM carrier_gateways WHERE tenant_id = $1', [tenantId]);
    return result.rows[0] ? toGateway(result.rows[0]) : undefined;
  }

  /** The enabled gateway of the tenant with its secret opened, or undefined (none, or disabled). */
  async target(tenantId: string, allowLoopbackServer: boolean): Promise<CarrierGatewayTarget | undefined> {
    const result = await this.db.query<GatewayRow & { allow_loopback_callbacks: boolean }>(
      `SELECT g.*, t.allow_loopback_callbacks FROM carrier_gateways g JOIN tenants t ON t.id = g.tenant_id
       WHERE g.tenant_id = $1 AND g.enabled`,
      [tenantId],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      url: row.url,
      secret: this.envelope.decryptText(row.secret_enc, secretContext(tenantId)),
      timeoutMs: Number(row.timeout_ms),
      allowLoopback: allowLoopbackServer && row.allow_loopback_callbacks,
    };
  }

  /**
   * Creates or replaces the settings in one statement. `secret` replaces the stored secret when
   * `replaceSecret`; otherwise it is used only when there was none (first configuration), so two
   * racing first writes cannot both believe their generated secret is the one stored.
   * Returns whether `secret` is now the stored one.
   */
  async put(
    tx: Queryable,
    tenantId: string,
    input: { url: string; timeoutMs: number; enabled: boolean; secret: string; replaceSecret: boolean },
  ): Promise<{ gateway: CarrierGateway; secretStored: boolean }> {
    const secretEnc = this.envelope.encrypt(input.secret, secretContext(tenantId));
    const result = await tx.query<GatewayRow & { secret_stored: boolean }>(
      `INSERT INTO carrier_gateways (tenant_id, url, secret_enc, timeout_ms, enabled) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id) DO UPDATE SET url = EXCLUDED.url, timeout_ms = EXCLUDED.timeout_ms, enabled = EXCLUDED.enabled,
         secret_enc = CASE WHEN $6::boolean THEN EXCLUDED.secret_enc ELSE carrier_gateways.secret_enc END, updated_at = now()
       WHERE carrier_gateways.tenant_id = $1
       RETURNING *, secret_enc = $3 AS secret_stored`,
      [tenantId, input.url, secretEnc, input.timeoutMs, input.enabled, input.replaceSecret],
    );
    const row = result.rows[0]!;
    return { gateway: toGateway(row), secretStored: row.secret_stored };
  }

  async delete(tx: Queryable, tenantId: string): Promise<boolean> {
    const result = await tx.query('DELETE FROM carrier_gateways WHERE tenant_id = $1', [tenantId]);
    return result.rowCount > 0;
  }
}
