// What the notification call says next (docs/call-script.md, "The notification call"): the hold
// notifier decides a step, telephony renders it through the hold-notification flow.

export type HoldCallEnding = 'stopped' | 'stop_closed' | 'unchanged';

export type HoldCallStep =
  | { kind: 'hangup' }
  /** Detection not sure: who is calling and a key to go on; nothing about the transfer. */
  | { kind: 'listener_check'; ask: number }
  /** The notice (greeting only the first time), the warning, and the ask inside the Gather. */
  /** `afterSilence`: read again because nothing was pressed; a second silence ends the call. */
  | { kind: 'notice'; ask: number; greet: boolean; afterSilence?: boolean }
  | { kind: 'goodbye'; ending: HoldCallEnding };

/** What rendering a step needs: the language, the bank's name and the transfer as it is read. */
export interface HoldCallScript {
  step: HoldCallStep;
  locale: string;
  bankName: string;
  notice: HoldCallNotice | null;
}

export interface HoldCallNotice {
  amountMinor: bigint;
  currency: string;
  payeeName?: string;
  payeeBank?: string;
  payeeAccount?: string;
  approvedAt: Date;
  releaseAt: Date;
  /** The tenant's time zone: times are read as the customer's clock shows them. */
  timeZone: string;
}
