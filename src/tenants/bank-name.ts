// Which of the tenant's names a customer hears or reads: the name for the locale when the tenant
// gave one (bankNames), otherwise its bankName (docs/admin-api.md, "Tenants").
import type { Tenant } from './tenant-store.ts';

export const bankNameLocales = ['ko-KR', 'en-US'] as const;
export type BankNameLocale = (typeof bankNameLocales)[number];
export type BankNames = Partial<Record<BankNameLocale, string>>;

export function bankNameFor(tenant: Pick<Tenant, 'bankName' | 'bankNames'>, locale: string): string {
  return tenant.bankNames[locale as BankNameLocale] ?? tenant.bankName;
}
