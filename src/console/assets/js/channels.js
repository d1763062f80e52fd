// What the pages know of the channel modules: assets/channels.json (src/console/console-router.ts), the
// modules' own labels in both languages, policy fields and timeline sections. The pages render from it
// and name no channel themselves (docs/console.md).
import { locale } from './i18n.js';

let loaded;
/** `{ channelNames, modules: [{ name, console?, dashboard? }] }`, fetched once per page load. */
export function channelMetadata() {
  loaded ??= fetch('/admin/assets/channels.json', { credentials: 'same-origin' }).then((response) => {
    if (!response.ok) throw new Error(`channels.json: ${response.status}`);
    return response.json();
  });
  return loaded;
}

/** A module's text (`{ 'en-US': …, 'ko-KR': … }`) in the console's language. */
export const text = (label) => label?.[locale()] ?? label?.['en-US'] ?? '';
