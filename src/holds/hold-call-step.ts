// What a notice call says next (docs/call-script.md, "The notification call", "The call to the old
// number"): the notifier decides a step, telephony renders it through the call's flow. A notice call
// only tells and offers `9`; the same keys mean the same on every notice call (afterNoticeKey).

export type HoldCallEnding = 'stopped' | 'stop_closed' | 'unchanged';

export type NoticeCallStep<Ending extends string> =
  | { kind: 'hangup' }
  /** Detection not sure: who is calling and a key to go on; nothing about the notice. */
  | { kind: 'listener_check'; ask: number }
  /** The notice (greeting only the first time), the warning, and the ask inside the Gather. */
  /** `afterSilence`: read again because nothing was pressed; a second silence ends the call. */
  | { kind: 'notice'; ask: number; greet: boolean; afterSilence?: boolean }
  | { kind: 'goodbye'; ending: Ending };

export type HoldCallStep = NoticeCallStep<HoldCallEnding>;

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

/** Twilio's AnsweredBy for machines (machine_start, machine_end_beep, …) and fax. */
export const isMachine = (answeredBy: string | null | undefined) => Boolean(answeredBy && (answeredBy.startsWith('machine') || answeredBy === 'fax'));

/** The first step of an answered notice call: a person hears the notice, an unsure detection is asked for a key first. */
export const firstNoticeStep = (answeredBy: string | undefined): NoticeCallStep<never> => (answeredBy === 'human' ? { kind: 'notice', ask: 1, greet: true } : { kind: 'listener_check', ask: 1 });

/**
 * The key pressed after `last` (ask `askSeq`): `1` after the listener check hears the notice; on the
 * notice `9` is the call's action (`nine`), `0` repeats, a first silence repeats once more, and
 * anything else ends the call unchanged. `outcome` is set when the call's outcome is known.
 */
export function afterNoticeKey<Ending extends string>(
  last: NoticeCallStep<Ending> | null,
  key: string,
  askSeq: number,
  nine: { ending: Ending; outcome: string },
  unchanged: Ending,
): { step: NoticeCallStep<Ending>; outcome?: string; pressedNine: boolean } {
  const hangup = { step: { kind: 'hangup' } as const, pressedNine: false };
  if (last?.kind === 'listener_check') return key === '1' ? { step: { kind: 'notice', ask: askSeq + 1, greet: true }, pressedNine: false } : { ...hangup, outcome: 'not_heard' };
  if (last?.kind !== 'notice') return hangup;
  if (key === '9') return { step: { kind: 'goodbye', ending: nine.ending }, outcome: nine.outcome, pressedNine: true };
  if (key === '0') return { step: { kind: 'notice', ask: askSeq + 1, greet: false }, pressedNine: false };
  // A first silence (the customer still taking it in) hears it once more; a second ends the call.
  if (key === '' && !last.afterSilence) return { step: { kind: 'notice', ask: askSeq + 1, greet: false, afterSilence: true }, pressedNine: false };
  return { step: { kind: 'goodbye', ending: unchanged }, outcome: key === '' ? 'no_key' : 'heard', pressedNine: false };
}
