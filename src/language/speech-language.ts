// The languages the call can speak numbers, digits and ordinals in. A flow file's locale picks one
// by its primary language subtag (ko-KR → ko, en-GB → en); the wording itself lives in ivr-flows/.

export const speechLanguages = ['ko', 'en'] as const;
export type SpeechLanguage = (typeof speechLanguages)[number];

/** "ko-KR" → "ko", "en" → "en"; undefined when this code cannot speak the language. */
export function speechLanguageOf(locale: string): SpeechLanguage | undefined {
  const primary = locale.split(/[-_]/)[0]?.toLowerCase();
  return speechLanguages.find((language) => language === primary);
}

/** Like speechLanguageOf, for callers that hold an already validated locale. */
export function requireSpeechLanguage(locale: string): SpeechLanguage {
  const language = speechLanguageOf(locale);
  if (!language) throw new RangeError(`no speech support for locale "${locale}" (supported: ${speechLanguages.join(', ')})`);
  return language;
}
