/**
 * A strict, small XML reader for XMILE files: elements, attributes, text, CDATA, comments,
 * processing instructions and the predefined and numeric entities. It rejects malformed documents
 * (mismatched or unclosed tags, stray `<`, unknown entities) with the line of the fault, and never
 * repairs them: a conforming XMILE reader reports broken files instead of guessing.
 *
 * Why not fast-xml-parser: errors must name the line of the offending *variable* (issue: "clear
 * errors that name the file, variable and line"), and fast-xml-parser's tree carries no source
 * positions (only its validator reports a line, for syntax errors); its default parser also accepts
 * some malformed documents. XMILE needs only this subset of XML, which fits in one small file.
 */
import { TwinkitError } from '@twinkit/core';

/** An element of a parsed XML document; names are local (namespace prefix removed), lower-case. */
export interface XmlElement {
  name: string;
  /** Namespace prefix as written (`isee` for `<isee:dependencies>`), '' when none. */
  prefix: string;
  /** Attributes by local, lower-case name. */
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content (entities decoded), not trimmed. */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
}

/** Signals malformed XML; names the file and the line. */
export class XmlSyntaxError extends TwinkitError {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function localName(qualified: string): string {
  const i = qualified.indexOf(':');
  return (i >= 0 ? qualified.slice(i + 1) : qualified).toLowerCase();
}

/** Parses an XML document into its root element. */
export function parseXml(source: string, file = '<input>'): XmlElement {
  let pos = 0;
  const n = source.length;
  // Line starts, to turn offsets into line numbers in messages.
  const lineStarts: number[] = [0];
  for (let i = 0; i < n; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) lineStarts.push(i + 1);
  }
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const fail = (message: string, offset: number): never => {
    const line = lineOf(offset);
    throw new XmlSyntaxError(`${file}: malformed XML at line ${line}: ${message}`, {
      code: 'PARSE',
      details: { file, line },
    });
  };
  const decode = (text: string, offset: number): string =>
    text.replace(/&([^;&\s]*);?/g, (m, name: string) => {
      if (!m.endsWith(';')) fail(`"&" must start an entity such as &amp;`, offset);
      if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
      const e = ENTITIES[name];
      if (e === undefined) fail(`unknown entity &${name};`, offset);
      return e!;
    });

  const stack: XmlElement[] = [];
  const rawNames: string[] = [];
  let root: XmlElement | null = null;
  if (source.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos < n) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > pos) {
      const text = source.slice(pos, textEnd);
      if (stack.length === 0) {
        if (text.trim() !== '') fail('text outside the root element', pos);
      } else {
        stack[stack.length - 1]!.text += decode(text, pos);
      }
    }
    if (lt < 0) break;
    pos = lt;
    if (source.startsWith('<!--', pos)) {
      const end = source.indexOf('-->', pos + 4);
      if (end < 0) fail('unclosed comment', pos);
      pos = end + 3;
    } else if (source.startsWith('<![CDATA[', pos)) {
      const end = source.indexOf(']]>', pos + 9);
      if (end < 0) fail('unclosed CDATA section', pos);
      if (stack.length === 0) fail('CDATA outside the root element', pos);
      stack[stack.length - 1]!.text += source.slice(pos + 9, end);
      pos = end + 3;
    } else if (source.startsWith('<?', pos)) {
      const end = source.indexOf('?>', pos + 2);
      if (end < 0) fail('unclosed processing instruction', pos);
      pos = end + 2;
    } else if (source.startsWith('<!', pos)) {
      const end = source.indexOf('>', pos + 2);
      if (end < 0) fail('unclosed declaration', pos);
      pos = end + 1;
    } else if (source.startsWith('</', pos)) {
      const m = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(source.slice(pos, pos + 300));
      if (!m) fail('malformed end tag', pos);
      const open = rawNames.pop();
      if (open === undefined) fail(`end tag </${m![1]}> without a start tag`, pos);
      if (open !== m![1]) fail(`end tag </${m![1]}> does not match start tag <${open}>`, pos);
      stack.pop();
      pos += m![0].length;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)/.exec(source.slice(pos, pos + 300));
      if (!m) fail('"<" must start a tag (write &lt; in text)', pos);
      const raw = m![1]!;
      const el: XmlElement = {
        name: localName(raw),
        prefix: raw.includes(':') ? raw.slice(0, raw.indexOf(':')) : '',
        attributes: {},
        children: [],
        text: '',
        line: lineOf(pos),
      };
      let p = pos + m![0].length;
      let selfClosing = false;
      for (;;) {
        while (p < n && /\s/.test(source[p]!)) p++;
        if (source.startsWith('/>', p)) {
          selfClosing = true;
          p += 2;
          break;
        }
        if (source[p] === '>') {
          p++;
          break;
        }
        const am = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(source.slice(p, p + 100000));
        if (!am) fail(`malformed attribute in <${raw}>`, p);
        const attrName = localName(am![1]!);
        if (attrName in el.attributes && !am![1]!.startsWith('xmlns'))
          fail(`duplicate attribute ${am![1]}`, p);
        el.attributes[attrName] = decode(am![3] ?? am![4] ?? '', p);
        p += am![0].length;
      }
      if (stack.length === 0) {
        if (root) fail('a second root element', pos);
        root = el;
      } else stack[stack.length - 1]!.children.push(el);
      if (!selfClosing) {
        stack.push(el);
        rawNames.push(raw);
      }
      pos = p;
    }
  }
  if (stack.length > 0) fail(`element <${rawNames[rawNames.length - 1]}> is never closed`, n);
  if (!root) fail('no root element', 0);
  return root!;
}

/** Returns the first child element with that (local, lower-case) name. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Returns every child element with that (local, lower-case) name. */
export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
