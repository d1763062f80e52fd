// Names are spoken in the script they are written in (docs/call-script.md, "Names in another
// script"): a Hangul payee inside an en-US call gets its own <Say language="ko-KR"> with a Korean
// voice, a Latin-only name inside a ko-KR call an en-US one. An English voice cannot pronounce
// Hangul (it skips it or spells code points); a Korean voice reads Latin letters one by one.
import type { CallFlow } from './flow-schema.ts';
import { speechLanguageOf, type SpeechLanguage } from '../../language/speech-language.ts';

export type CallVoice = CallFlow['voice'];
/** The voice to read a name of each language with (from that language's flow). */
export type NameVoices = Partial<Record<SpeechLanguage, CallVoice>>;

/** Wording placeholders that hold names written by people, not words of the flow. */
export const namePlaceholders: ReadonlySet<string> = new Set(['bankName', 'payeeName', 'payeeBank']);

/** The language a name is written in: any Hangul → ko; Latin letters and no other letters → en. */
export function nameLanguageOf(name: string): SpeechLanguage | undefined {
  if (/\p{Script=Hangul}/u.test(name)) return 'ko';
  const letters = name.match(/\p{L}/gu) ?? [];
  if (letters.length > 0 && letters.every((letter) => /\p{Script=Latin}/u.test(letter))) return 'en';
  return undefined;
}

/** The voice for `name` inside a call of `flow`, when it is not the flow's own. */
export function otherVoiceFor(name: string, flow: CallFlow, voices: NameVoices): CallVoice | undefined {
  const language = nameLanguageOf(name);
  if (language === undefined || language === speechLanguageOf(flow.locale)) return undefined;
  return voices[language];
}
