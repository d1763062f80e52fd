// The message ids of each call flow and the placeholders each message may use. Ids are stable
// (like Ory Kratos' message ids): flow files in ivr-flows/ give them wording per locale, code only
// ever refers to ids. Ids are never renamed; a new message is a new id that every flow file of the
// flow must then provide (checked at start-up).
//
// Every placeholder listed is required in the wording: a greeting without {bankName} or an ask
// without {positions} would hide what the customer must hear. No other placeholder is allowed.

export interface MessageSpec {
  placeholders: readonly string[];
  /** Shown in validation errors and docs/call-script.md. */
  purpose: string;
}

export const knowledgeCheckMessages = {
  greeting: { placeholders: ['bankName'], purpose: 'first words: who is calling and why' },
  listener_check: { placeholders: ['bankName'], purpose: 'answering-machine detection was not sure: who is calling, press 1 to hear the details (nothing about the transaction)' },
  'transaction.intro': { placeholders: [], purpose: 'announces the details that follow' },
  'transaction.type.transfer': { placeholders: [], purpose: 'names a transfer' },
  'transaction.type.certificate_reissue': { placeholders: [], purpose: 'names a certificate re-issue' },
  'transaction.type.device_designation': { placeholders: [], purpose: 'names a device designation' },
  'transaction.type.payee_registration': { placeholders: [], purpose: 'names a payee registration' },
  'transaction.type.limit_change': { placeholders: [], purpose: 'names a limit change' },
  'transaction.type.other': { placeholders: [], purpose: 'names any other transaction' },
  'transaction.payee_name': { placeholders: ['payeeName'], purpose: 'the payee name' },
  'transaction.payee_bank': { placeholders: ['payeeBank'], purpose: 'the payee bank' },
  'transaction.payee_account': { placeholders: ['accountDigits'], purpose: 'the payee account, digit by digit' },
  'transaction.amount': { placeholders: ['amount'], purpose: 'the amount in words with its currency' },
  ask: { placeholders: ['positions'], purpose: 'inside the Gather: which digits to enter, star to reject, 0 to repeat' },
  'ask.wrong_answer': { placeholders: [], purpose: 'before a new ask after a wrong answer' },
  no_input: { placeholders: [], purpose: 'after a Gather that received nothing' },
  'goodbye.approved': { placeholders: [], purpose: 'right digits' },
  'goodbye.rejected': { placeholders: [], purpose: 'the customer pressed star' },
  'goodbye.locked': { placeholders: [], purpose: 'too many consecutive failures: ARS locked' },
  'goodbye.too_many_failures': { placeholders: [], purpose: 'maxAnswersPerCall wrong answers' },
  'goodbye.expired': { placeholders: [], purpose: 'the challenge expired during the call' },
  'goodbye.canceled': { placeholders: [], purpose: 'the bank canceled the challenge during the call' },
  'goodbye.no_input': { placeholders: [], purpose: 'no answer after the last ask' },
  'goodbye.call_bank': { placeholders: ['bankPhone'], purpose: "the bank's phone number, when the tenant has one" },
  'goodbye.farewell': { placeholders: [], purpose: 'last words before hanging up' },
} as const satisfies Record<string, MessageSpec>;

export type KnowledgeCheckMessageId = keyof typeof knowledgeCheckMessages;

export const knowledgeCheckFlowId = 'knowledge-check';

/**
 * The notification call after an approval (docs/holds.md, docs/call-script.md "The notification call"):
 * what was approved and when it will be sent, that nobody legitimate asks to move money, and `9` to
 * stop it. Nothing asks for a secret: stopping is always safe, and nothing can release early.
 */
export const holdNotificationMessages = {
  greeting: { placeholders: ['bankName'], purpose: 'first words: who is calling, about a transfer' },
  listener_check: { placeholders: ['bankName'], purpose: 'answering-machine detection was not sure: who is calling, press 1 to hear it (nothing about the transfer)' },
  'notice.approved': { placeholders: ['amount', 'approvedAt'], purpose: 'the amount in words and when the transfer was approved' },
  'notice.payee_name': { placeholders: ['payeeName'], purpose: 'the payee name' },
  'notice.payee_bank': { placeholders: ['payeeBank'], purpose: 'the payee bank' },
  'notice.payee_account': { placeholders: ['accountDigits'], purpose: 'the payee account, digit by digit' },
  'notice.release': { placeholders: ['releaseAt'], purpose: 'when the transfer will be sent' },
  warning: { placeholders: [], purpose: 'banks and investigators never ask anyone to move money' },
  ask: { placeholders: [], purpose: 'inside the Gather: 9 stops the transfer (not made, or told to by someone on the phone), 0 repeats' },
  'goodbye.stopped': { placeholders: [], purpose: 'after 9: the transfer is stopped' },
  'goodbye.stop_closed': { placeholders: [], purpose: 'after 9, too late: the stop window closed or the transfer was released' },
  'goodbye.unchanged': { placeholders: [], purpose: 'another key or none: the transfer goes ahead' },
  'goodbye.farewell': { placeholders: [], purpose: 'last words before hanging up' },
} as const satisfies Record<string, MessageSpec>;

export type HoldNotificationMessageId = keyof typeof holdNotificationMessages;

export const holdNotificationFlowId = 'hold-notification';

/**
 * The call to the old number after the customer's ARS phone changed (docs/ars-channel.md "A changed
 * number", docs/call-script.md "The call to the old number"): the number for bank confirmations was
 * changed, and `9` if the customer did not do this. It names neither number and asks for no secret.
 */
export const phoneChangeMessages = {
  greeting: { placeholders: ['bankName'], purpose: 'first words: who is calling, with a security message' },
  listener_check: { placeholders: ['bankName'], purpose: 'answering-machine detection was not sure: who is calling, press 1 to hear it (nothing about the change)' },
  notice: { placeholders: ['changedAt'], purpose: 'the phone number for bank confirmations was changed, and when' },
  ask: { placeholders: [], purpose: 'inside the Gather: 9 if the customer did not do this, 0 repeats' },
  'goodbye.suspended': { placeholders: [], purpose: 'after 9: the new number is suspended; call the bank' },
  'goodbye.unchanged': { placeholders: [], purpose: 'another key or none: nothing changes' },
  'goodbye.farewell': { placeholders: [], purpose: 'last words before hanging up' },
} as const satisfies Record<string, MessageSpec>;

export type PhoneChangeMessageId = keyof typeof phoneChangeMessages;

export const phoneChangeFlowId = 'phone-change';

/** Every flow the code can run, by flow id. */
export const flowMessageSpecs: Readonly<Record<string, Readonly<Record<string, MessageSpec>>>> = {
  [knowledgeCheckFlowId]: knowledgeCheckMessages,
  [holdNotificationFlowId]: holdNotificationMessages,
  [phoneChangeFlowId]: phoneChangeMessages,
};
