// The customers table (docs/bank-api.md): one row per customer the bank enrolled anything for.
import type { Queryable } from '../storage/db.ts';

/** Creates the customer row on first enrollment (any channel); does nothing when it exists. */
export async function upsertCustomer(tx: Queryable, tenantId: string, customerId: string): Promise<void> {
  await tx.query('INSERT INTO customers (tenant_id, customer_id) VALUES ($1, $2) ON CONFLICT (tenant_id, customer_id) DO NOTHING', [tenantId, customerId]);
}

export async function customerExists(q: Queryable, tenantId: string, customerId: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM customers WHERE tenant_id = $1 AND customer_id = $2', [tenantId, customerId])).rowCount > 0;
}
