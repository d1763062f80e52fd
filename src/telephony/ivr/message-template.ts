// Wording templates use {name} placeholders. Filling is a single pass over the template, so a value
// that itself contains "{…}" (a payee name typed by a fraudster) is never expanded again.

const placeholderPattern = /\{([^{}]*)\}/g;

/** Placeholder names in order of appearance, or an error when braces do not pair up. */
export function placeholdersIn(template: string): { names: string[] } | { error: string } {
  const names = [...template.matchAll(placeholderPattern)].map((match) => match[1]!);
  const stray = template.replace(placeholderPattern, '');
  if (/[{}]/.test(stray)) return { error: 'has a "{" or "}" that is not part of a {placeholder}' };
  const malformed = names.find((name) => !/^[A-Za-z][A-Za-z0-9]*$/.test(name));
  if (malformed !== undefined) return { error: `has a malformed placeholder {${malformed}}` };
  return { names };
}

export function fillMessage(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(placeholderPattern, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for placeholder {${name}}`);
    return value;
  });
}

/** A piece of filled wording, and the placeholder whose value it is (none for the template's words). */
export interface FilledPiece {
  text: string;
  placeholder?: string;
}

/** Like fillMessage, but keeps each value apart from the words around it (same single pass). */
export function fillMessagePieces(template: string, values: Readonly<Record<string, string>>): FilledPiece[] {
  const pieces: FilledPiece[] = [];
  let last = 0;
  for (const match of template.matchAll(placeholderPattern)) {
    const name = match[1]!;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for placeholder {${name}}`);
    if (match.index > last) pieces.push({ text: template.slice(last, match.index) });
    pieces.push({ text: value, placeholder: name });
    last = match.index + match[0].length;
  }
  if (last < template.length) pieces.push({ text: template.slice(last) });
  return pieces;
}
