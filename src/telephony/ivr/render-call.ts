// TwiML for every step of the knowledge-check call (docs/call-script.md "The call"), as pure functions of the
// flow, the locale's wording and a view of the call. The transaction is read OUTSIDE the <Gather>,
// so it cannot be skipped by pressing a key; the ask is nested INSIDE it, so the customer can answer
// while it plays. Nothing here receives the security number or the expected answer — only the
// positions asked — so no rendered TwiML can leak them.
import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { amountWords } from '../../language/amount-words.ts';
import type { CallTransactionView } from '../../channels/ars/call-transaction.ts';
import type { KnowledgeCheckMessageId } from './flow-messages.ts';
import type { CallFlow } from './flow-schema.ts';
import { fillMessagePieces } from './message-template.ts';
import { namePlaceholders, otherVoiceFor, type CallVoice, type NameVoices } from './name-voices.ts';
import { positionsPhrase } from './positions-phrase.ts';
import { spokenDigits } from './spoken-digits.ts';

export type CallOutcome = 'approved' | 'rejected' | 'locked' | 'too_many_failures' | 'expired' | 'canceled' | 'no_input';

/** Where Twilio goes next; the ARS channel builds these URLs (bound to one call attempt). */
export interface GatherHooks {
  /** The Gather's action: Twilio POSTs `Digits` here (see interpretDigits). */
  actionUrl: string;
  /**
   * Where Twilio is redirected (POST) when nothing was pressed, after the no-input message; the
   * channel counts no-inputs there and answers renderAskAgain or renderGoodbye('no_input').
   * Omit it on the last allowed ask: the call then says goodbye and hangs up by itself.
   */
  noInputUrl?: string;
}

/** Voices for names written in another language's script (see name-voices.ts); none: the flow's voice reads them. */
interface NameVoiceOption {
  nameVoices?: NameVoices;
}

export interface RenderIntroOptions extends GatherHooks, NameVoiceOption {
  flow: CallFlow;
  /** The tenant's name, for the greeting. */
  bankName: string;
  transaction: CallTransactionView;
  /** 1-based positions of the security number asked this time. */
  positions: readonly number[];
}

export interface RenderListenerCheckOptions extends NameVoiceOption {
  flow: CallFlow;
  bankName: string;
  /** The Gather's action: Twilio POSTs the key pressed here. */
  actionUrl: string;
}

export interface RenderRepeatDetailsOptions extends GatherHooks, NameVoiceOption {
  flow: CallFlow;
  transaction: CallTransactionView;
  positions: readonly number[];
}

export interface RenderAskAgainOptions extends GatherHooks {
  flow: CallFlow;
  positions: readonly number[];
  /** After a wrong answer: say so before asking (with the new positions). */
  wrong?: boolean;
}

export interface RenderGoodbyeOptions {
  flow: CallFlow;
  outcome: CallOutcome;
  /** The bank's phone number, read digit by digit after a rejection, lock or failure. */
  bankPhone?: string;
}

export type Speaker<Id extends string = KnowledgeCheckMessageId> = (message: Id, values?: Record<string, string>) => void;

function sayAttributes(voice: CallVoice): VoiceResponse.SayAttributes {
  return {
    // The flow schema checked the shape; Twilio's unions of voices and languages change per release.
    language: voice.language as NonNullable<VoiceResponse.SayAttributes['language']>,
    voice: voice.name as NonNullable<VoiceResponse.SayAttributes['voice']>,
  };
}

/** Something to read aloud: text with letters or digits (not the lone "." left after a name). */
const speaksWords = (text: string): boolean => /[\p{L}\p{N}]/u.test(text);

/** Says a flow's message (by id, placeholders filled) into a Response or a Gather; names in another script get their own voice. */
export function speakerFor<Id extends string = KnowledgeCheckMessageId>(flow: CallFlow, target: VoiceResponse | VoiceResponse.Gather, nameVoices: NameVoices = {}): Speaker<Id> {
  const own = sayAttributes(flow.voice);
  return (message, values = {}) => {
    const wording = flow.messages[message];
    if (wording === undefined) throw new Error(`flow ${flow.flow}.${flow.locale} has no message "${message}"`);
    // Consecutive pieces in the same voice form one <Say>; a name in another script gets its own.
    const says: { voice: CallVoice | undefined; text: string }[] = [];
    for (const piece of fillMessagePieces(wording, values)) {
      const voice = piece.placeholder !== undefined && namePlaceholders.has(piece.placeholder) ? otherVoiceFor(piece.text, flow, nameVoices) : undefined;
      const previous = says.at(-1);
      if (previous && previous.voice === voice) previous.text += piece.text;
      else says.push({ voice, text: piece.text });
    }
    if (says.length === 1) {
      target.say(own, says[0]!.text);
      return;
    }
    for (const { voice, text } of says) {
      // Around a name spoken apart, the flow's words lose their joining punctuation (". We are…").
      const trimmed = voice ? text.trim() : text.replace(/^[\s\p{P}]+(?=\p{L}|\p{N})/u, '').trim();
      if (speaksWords(trimmed)) target.say(voice ? sayAttributes(voice) : own, trimmed);
    }
  };
}

/** Bank-supplied text goes into speech: drop control characters and collapse whitespace. */
export function speakable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim();
}

function sayTransaction(say: Speaker, flow: CallFlow, transaction: CallTransactionView): void {
  // A transfer call that could not read the payee account and amount would confirm blind.
  if (transaction.type === 'transfer' && (!transaction.payeeAccount || transaction.amountMinor === undefined || !transaction.currency)) {
    throw new RangeError('a transfer is read with its payee account, amount and currency');
  }
  say('transaction.intro');
  say(`transaction.type.${transaction.type}`);
  if (transaction.payeeName) say('transaction.payee_name', { payeeName: speakable(transaction.payeeName) });
  if (transaction.payeeBank) say('transaction.payee_bank', { payeeBank: speakable(transaction.payeeBank) });
  if (transaction.payeeAccount) say('transaction.payee_account', { accountDigits: spokenDigits(transaction.payeeAccount, flow.locale) });
  if (transaction.amountMinor !== undefined && transaction.currency) {
    const amount = amountWords({
      amountMinor: transaction.amountMinor,
      currency: transaction.currency,
      locale: flow.locale,
      ...(transaction.currencyExponent !== undefined ? { exponent: transaction.currencyExponent } : {}),
    });
    say('transaction.amount', { amount });
  }
}

function sayGoodbye(say: Speaker, response: VoiceResponse, flow: CallFlow, outcome: CallOutcome, bankPhone?: string): void {
  say(`goodbye.${outcome}`);
  const callBank = outcome === 'rejected' || outcome === 'locked' || outcome === 'too_many_failures';
  if (callBank && bankPhone && /\d/.test(bankPhone)) say('goodbye.call_bank', { bankPhone: spokenDigits(bankPhone, flow.locale) });
  say('goodbye.farewell');
  response.hangup();
}

/** The ask inside its Gather, then the no-input branch after it. */
function appendAsk(response: VoiceResponse, flow: CallFlow, positions: readonly number[], hooks: GatherHooks): void {
  const gather = response.gather({
    input: ['dtmf'],
    // One key per position; `*` and a lone `0` are submitted on the timeout or with `#`.
    numDigits: positions.length,
    finishOnKey: '#',
    timeout: flow.gather.timeoutSeconds,
    action: hooks.actionUrl,
    method: 'POST',
    actionOnEmptyResult: false,
  });
  speakerFor(flow, gather)('ask', { positions: positionsPhrase(positions, flow.locale) });
  const say = speakerFor(flow, response);
  if (hooks.noInputUrl) {
    say('no_input');
    response.redirect({ method: 'POST' }, hooks.noInputUrl);
  } else {
    sayGoodbye(say, response, flow, 'no_input');
  }
}

function hooksOf({ actionUrl, noInputUrl }: GatherHooks): GatherHooks {
  return noInputUrl ? { actionUrl, noInputUrl } : { actionUrl };
}

/** First TwiML of an answered call: greeting, the transaction, then the ask. */
export function renderIntro(options: RenderIntroOptions): string {
  const { flow, bankName, transaction, positions, nameVoices } = options;
  const response = new twilio.twiml.VoiceResponse();
  if (flow.leadingPauseSeconds > 0) response.pause({ length: flow.leadingPauseSeconds });
  const say = speakerFor(flow, response, nameVoices);
  say('greeting', { bankName: speakable(bankName) });
  sayTransaction(say, flow, transaction);
  appendAsk(response, flow, positions, hooksOf(options));
  return response.toString();
}

/**
 * When answering-machine detection was not sure: who is calling, and one key to go on. Nothing
 * about the transaction is said; silence (a voicemail recording) falls through to Hangup.
 */
export function renderListenerCheck({ flow, bankName, actionUrl, nameVoices }: RenderListenerCheckOptions): string {
  const response = new twilio.twiml.VoiceResponse();
  if (flow.leadingPauseSeconds > 0) response.pause({ length: flow.leadingPauseSeconds });
  const gather = response.gather({ input: ['dtmf'], numDigits: 1, timeout: flow.gather.timeoutSeconds, action: actionUrl, method: 'POST', actionOnEmptyResult: false });
  speakerFor(flow, gather, nameVoices)('listener_check', { bankName: speakable(bankName) });
  response.hangup();
  return response.toString();
}

/** After `0`: the transaction again (no greeting), then the same ask. */
export function renderRepeatDetails(options: RenderRepeatDetailsOptions): string {
  const { flow, transaction, positions, nameVoices } = options;
  const response = new twilio.twiml.VoiceResponse();
  sayTransaction(speakerFor(flow, response, nameVoices), flow, transaction);
  appendAsk(response, flow, positions, hooksOf(options));
  return response.toString();
}

/** After a wrong answer (new positions, `wrong: true`) or after no input (same positions). */
export function renderAskAgain(options: RenderAskAgainOptions): string {
  const { flow, positions, wrong = false } = options;
  const response = new twilio.twiml.VoiceResponse();
  if (wrong) speakerFor(flow, response)('ask.wrong_answer');
  appendAsk(response, flow, positions, hooksOf(options));
  return response.toString();
}

/** The last words of the call for its outcome, then Hangup. */
export function renderGoodbye({ flow, outcome, bankPhone }: RenderGoodbyeOptions): string {
  const response = new twilio.twiml.VoiceResponse();
  sayGoodbye(speakerFor(flow, response), response, flow, outcome, bankPhone);
  return response.toString();
}
