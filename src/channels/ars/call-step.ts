// What the call does next, decided by the ARS channel and rendered to TwiML at the telephony edge
// (src/telephony/ars/render-step.ts). `ask` numbers the question the next Gather answers.

export type CallEnding = 'approved' | 'rejected' | 'locked' | 'too_many_failures' | 'expired' | 'canceled' | 'no_input';

export type CallStep =
  /**
   * Answering-machine detection was not sure (AnsweredBy `unknown`): who is calling and "press 1
   * to hear the details", nothing about the transaction; silence hangs up.
   */
  | { kind: 'listener_check'; ask: number }
  /** Greeting, the transaction, then the ask. */
  | { kind: 'intro'; positions: number[]; ask: number; noInputHook: boolean }
  /** After `0`: the transaction again, then the same ask. */
  | { kind: 'repeat'; positions: number[]; ask: number; noInputHook: boolean }
  /** After a wrong answer (new positions) or no input (same positions). */
  | { kind: 'ask_again'; positions: number[]; ask: number; wrong: boolean; noInputHook: boolean }
  | { kind: 'goodbye'; ending: CallEnding }
  /** Nothing is read: an answering machine, or a webhook of a call that is not this attempt's. */
  | { kind: 'hangup' };
