// A small, strict XML reader for TwiML documents: elements, attributes, text, CDATA, comments,
// the XML declaration and character/entity references. No DTDs, no namespaces beyond the raw name.
// Twilio answers a malformed document with error 12100 (document parse failure); so do we.

export interface TwimlElement {
  name: string;
  attributes: Record<string, string>;
  children: TwimlNode[];
}

export type TwimlNode = TwimlElement | string;

export class TwimlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwimlParseError';
  }
}

const namedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (match, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    const named = namedEntities[ref];
    if (named === undefined) throw new TwimlParseError(`unknown entity ${match}`);
    return named;
  });
}

const nameChars = /[A-Za-z0-9_:.-]/;

/** Parses one XML document and returns its root element. */
export function parseTwiml(xml: string): TwimlElement {
  let pos = 0;
  const text = xml.replace(/^\uFEFF/, '');

  const fail = (message: string): never => {
    throw new TwimlParseError(`${message} at offset ${pos}`);
  };

  const skipMisc = (): void => {
    for (;;) {
      while (pos < text.length && /\s/.test(text[pos] ?? '')) pos++;
      if (text.startsWith('<?', pos)) {
        const end = text.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (text.startsWith('<!DOCTYPE', pos)) {
        fail('DOCTYPE is not allowed');
      } else {
        return;
      }
    }
  };

  const readName = (): string => {
    const start = pos;
    while (pos < text.length && nameChars.test(text[pos] ?? '')) pos++;
    if (pos === start) fail('expected a name');
    return text.slice(start, pos);
  };

  const readElement = (): TwimlElement => {
    if (text[pos] !== '<') fail('expected <');
    pos++;
    const name = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      while (/\s/.test(text[pos] ?? '')) pos++;
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return { name, attributes, children: [] };
      }
      if (text[pos] === '>') {
        pos++;
        break;
      }
      const attrName = readName();
      while (/\s/.test(text[pos] ?? '')) pos++;
      if (text[pos] !== '=') fail(`expected = after attribute ${attrName}`);
      pos++;
      while (/\s/.test(text[pos] ?? '')) pos++;
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") fail('expected a quoted attribute value');
      const end = text.indexOf(quote as string, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      if (attrName in attributes) fail(`duplicate attribute ${attrName}`);
      attributes[attrName] = decodeEntities(text.slice(pos + 1, end));
      pos = end + 1;
    }
    const children: TwimlNode[] = [];
    for (;;) {
      if (pos >= text.length) fail(`unclosed element <${name}>`);
      if (text.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`expected </${name}> but found </${closing}>`);
        while (/\s/.test(text[pos] ?? '')) pos++;
        if (text[pos] !== '>') fail('expected >');
        pos++;
        return { name, attributes, children };
      }
      if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA');
        children.push(text.slice(pos + 9, end));
        pos = end + 3;
      } else if (text[pos] === '<') {
        children.push(readElement());
      } else {
        const end = text.indexOf('<', pos);
        const raw = text.slice(pos, end < 0 ? text.length : end);
        children.push(decodeEntities(raw));
        pos = end < 0 ? text.length : end;
      }
    }
  };

  skipMisc();
  if (pos >= text.length) fail('empty document');
  const root = readElement();
  skipMisc();
  if (pos < text.length) fail('content after the root element');
  return root;
}

/** All text under a node (SSML children of <Say> included), whitespace collapsed. */
export function textContent(node: TwimlNode): string {
  if (typeof node === 'string') return node;
  return node.children.map(textContent).join('');
}

export function collapsedText(node: TwimlNode): string {
  return textContent(node).replace(/\s+/g, ' ').trim();
}

export function childElements(element: TwimlElement): TwimlElement[] {
  return element.children.filter((child): child is TwimlElement => typeof child !== 'string');
}
