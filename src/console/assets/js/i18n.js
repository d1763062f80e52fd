// ko-KR and en-US strings (assets/i18n/*.json), chosen by the language switch and remembered locally.
export const locales = ['en-US', 'ko-KR'];
let strings = {};
let fallback = {};
let current = 'en-US';

const load = async (locale) => (await fetch(`/admin/assets/i18n/${locale}.json`, { credentials: 'same-origin' })).json();

export async function setLocale(locale) {
  current = locales.includes(locale) ? locale : 'en-US';
  if (Object.keys(fallback).length === 0) fallback = await load('en-US');
  strings = current === 'en-US' ? fallback : await load(current);
  localStorage.setItem('stepup-console-locale', current);
  document.documentElement.lang = current;
}

export const preferredLocale = () => localStorage.getItem('stepup-console-locale') ?? (navigator.language?.startsWith('ko') ? 'ko-KR' : 'en-US');
export const locale = () => current;

/** The string for `key` with {name} placeholders filled in. */
export function t(key, vars = {}) {
  const text = strings[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? `{${name}}`));
}
