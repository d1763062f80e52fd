// Versioned tenant policies (docs/policy-reference.md): every change is a new row with author and time. A tenant
// without a stored policy runs on the defaults as version 0: the server's (its composed schema's, every
// module's section included; build-context.ts passes them), the built-in document's where none are given.
import type { Db, Queryable } from '../storage/db.ts';
import { defaultPolicy, type PolicyDocument } from '../policy/policy-schema.ts';
import { TtlCache } from '../storage/ttl-cache.ts';
import { nowMs, systemClock, type Clock } from '../time/clock.ts';

export interface PolicyVersion {
  version: number;
  document: PolicyDocument;
  author: string;
  createdAt: Date;
}

interface PolicyRow {
  version: number;
  document: PolicyDocument;
  author: string;
  created_at: Date;
}

const toVersion = (row: PolicyRow): PolicyVersion => ({
  version: row.version,
  document: row.document,
  author: row.author,
  createdAt: row.created_at,
});

export class PolicyStore {
  private readonly cache: TtlCache<PolicyVersion>;

  constructor(
    private readonly db: Db,
    cacheMs = 2000,
    clock: Clock = systemClock,
    private readonly versionZero: () => PolicyDocument = defaultPolicy,
  ) {
    this.cache = new TtlCache<PolicyVersion>({ ttlMs: () => cacheMs, now: () => nowMs(clock) });
  }

  async current(tenantId: string, q: Queryable = this.db): Promise<PolicyVersion> {
    const result = await q.query<PolicyRow>(
      'SELECT version, document, author, created_at FROM policy_versions WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1',
      [tenantId],
    );
    return result.rows[0] ? toVersion(result.rows[0]) : this.zero();
  }

  /** Version 0: the defaults, never stored. */
  private zero(): PolicyVersion {
    return { version: 0, document: this.versionZero(), author: 'system', createdAt: new Date(0) };
  }

  /** For the hot path of challenge creation: a policy change reaches every process within cacheMs. */
  currentCached(tenantId: string): Promise<PolicyVersion> {
    return this.cache.get(tenantId, (id) => this.current(id));
  }

  async versions(tenantId: string): Promise<PolicyVersion[]> {
    const result = await this.db.query<PolicyRow>(
      'SELECT version, document, author, created_at FROM policy_versions WHERE tenant_id = $1 ORDER BY version DESC',
      [tenantId],
    );
    return result.rows.map(toVersion);
  }

  async version(tenantId: string, version: number): Promise<PolicyVersion | null> {
    if (version === 0) return this.zero();
    const result = await this.db.query<PolicyRow>(
      'SELECT version, document, author, created_at FROM policy_versions WHERE tenant_id = $1 AND version = $2',
      [tenantId, version],
    );
    return result.rows[0] ? toVersion(result.rows[0]) : null;
  }

  /**
   * Writes version `expectedVersion + 1`; returns null when the current version is not
   * `expectedVersion` (a concurrent writer won — the primary key makes the race safe).
   */
  async put(tx: Queryable, tenantId: string, expectedVersion: number, document: PolicyDocument, author: string): Promise<PolicyVersion | null> {
    const current = await this.current(tenantId, tx);
    if (current.version !== expectedVersion) return null;
    const result = await tx.query<PolicyRow>(
      `INSERT INTO policy_versions (tenant_id, version, document, author) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING version, document, author, created_at`,
      [tenantId, expectedVersion + 1, JSON.stringify(document), author],
    );
    this.cache.delete(tenantId);
    return result.rows[0] ? toVersion(result.rows[0]) : null;
  }
}
