// A tiny TwiML reader for the tests: enough XML to check nesting and order of the verbs.

export interface TwimlNode {
  name: string;
  attributes: Record<string, string>;
  children: TwimlNode[];
  /** Text content (entities decoded) for Say, Redirect and the like. */
  text: string;
}

function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export function parseTwiml(xml: string): TwimlNode {
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  const root: TwimlNode = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: TwimlNode[] = [root];
  for (const match of body.matchAll(/<(\/?)([A-Za-z]+)((?:\s+[A-Za-z]+="[^"]*")*)\s*(\/?)>|([^<]+)/g)) {
    const [, closing, name, attributeText, selfClosing, text] = match;
    const parent = stack[stack.length - 1]!;
    if (text !== undefined) {
      parent.text += decode(text);
    } else if (closing) {
      if (parent.name !== name) throw new Error(`unbalanced </${name}>`);
      stack.pop();
    } else {
      const attributes: Record<string, string> = {};
      for (const [, key, value] of (attributeText ?? '').matchAll(/([A-Za-z]+)="([^"]*)"/g)) attributes[key!] = decode(value!);
      const node: TwimlNode = { name: name!, attributes, children: [], text: '' };
      parent.children.push(node);
      if (!selfClosing) stack.push(node);
    }
  }
  if (stack.length !== 1) throw new Error('unclosed element');
  const response = root.children[0];
  if (!response || response.name !== 'Response') throw new Error('no <Response>');
  return response;
}

/** Every Say text in document order, with whether it sits inside the Gather. */
export function spokenLines(response: TwimlNode): { text: string; inGather: boolean; attributes: Record<string, string> }[] {
  const lines: { text: string; inGather: boolean; attributes: Record<string, string> }[] = [];
  const walk = (node: TwimlNode, inGather: boolean): void => {
    for (const child of node.children) {
      if (child.name === 'Say') lines.push({ text: child.text, inGather, attributes: child.attributes });
      walk(child, inGather || child.name === 'Gather');
    }
  };
  walk(response, false);
  return lines;
}
