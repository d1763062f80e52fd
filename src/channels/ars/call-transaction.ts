// What the call reads aloud about a transaction: the full payee account (the customer must hear
// every digit to spot a swapped payee) and the amount in minor units. Built by the ARS channel from
// the decrypted challenge; never holds anything about the customer's security number.

/** The transaction types of docs/call-script.md, each with a phrase in the flow files. */
export const callTransactionTypes = ['transfer', 'certificate_reissue', 'device_designation', 'payee_registration', 'limit_change', 'other'] as const;
export type CallTransactionType = (typeof callTransactionTypes)[number];

export interface CallTransactionView {
  type: CallTransactionType;
  payeeName?: string;
  payeeBank?: string;
  /** As the bank wrote it ("110-123-456789"): its groups become pauses when read. */
  payeeAccount?: string;
  /** Minor units of the amount (docs/call-script.md: integers, never floats). */
  amountMinor?: bigint;
  /** ISO 4217 code of amountMinor. */
  currency?: string;
  /** ISO 4217 exponent of currency, when the caller already knows it. */
  currencyExponent?: number;
}
