// Masking and hashing of a transaction. The hash is over the canonical, unmasked transaction so a
// bank can recompute it; the masked view is all that ever leaves the server.
import { canonicalJson, sha256Base64Url } from '../crypto/hashing.ts';
import type { TransactionDetails } from './challenge-record.ts';

/**
 * "110-123-456789" → "***-***-456789": every digit but the last group (at most 6 digits shown;
 * an ungrouped number shows its last 4).
 */
export function maskAccount(account: string): string {
  const groups = account.split(/([ -])/);
  const lastGroup = groups[groups.length - 1] ?? '';
  const grouped = groups.length > 1 && lastGroup.length <= 6;
  const visible = grouped ? lastGroup.length : Math.min(4, account.replace(/\D/g, '').length - 1);
  let remaining = visible;
  const chars = [...account];
  for (let i = chars.length - 1; i >= 0; i -= 1) {
    if (!/\d/.test(chars[i]!)) continue;
    if (remaining > 0) remaining -= 1;
    else chars[i] = '*';
  }
  return chars.join('');
}

export function maskTransaction(transaction: TransactionDetails): Record<string, unknown> {
  return inViewOrder({ ...transaction, ...(transaction.payee ? { payee: { ...transaction.payee, account: maskAccount(transaction.payee.account) } } : {}) });
}

/**
 * The masked transaction with its fields in the order of docs/bank-api.md (reference, type, amount{value,
 * currency}, payee{name, bank, account}, description). The stored copy is jsonb, which reorders
 * keys: reading a challenge back must look like the 201 that created it.
 */
export function inViewOrder(masked: Partial<Record<keyof TransactionDetails, unknown>>): Record<string, unknown> {
  const amount = masked.amount as TransactionDetails['amount'];
  const payee = masked.payee as TransactionDetails['payee'];
  return {
    reference: masked.reference,
    type: masked.type,
    ...(amount ? { amount: { value: amount.value, currency: amount.currency } } : {}),
    ...(payee ? { payee: { name: payee.name, ...(payee.bank ? { bank: payee.bank } : {}), account: payee.account } } : {}),
    ...(masked.description ? { description: masked.description } : {}),
  };
}

/**
 * base64url(SHA-256(canonical JSON)) of {reference, type, amount{value, currency}, payee{name, bank,
 * account digits only}, description}, keys sorted, absent fields omitted, amount in canonical form.
 */
export function transactionHash(transaction: TransactionDetails): string {
  return sha256Base64Url(
    canonicalJson({
      reference: transaction.reference,
      type: transaction.type,
      amount: transaction.amount,
      payee: transaction.payee ? { ...transaction.payee, account: transaction.payee.account.replace(/\D/g, '') } : undefined,
      description: transaction.description,
    }),
  );
}
