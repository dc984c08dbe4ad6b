/**
 * A small, strict XML parser for MJCF files.
 *
 * Why not an npm XML library: MJCF uses only elements, attributes, comments and the XML
 * declaration, and the loader needs exact line/column positions in its error messages. A
 * ~150-line recursive-descent parser covers that with no dependency (nothing to keep in
 * `npm ci`'s offline cache, no DOM or SAX API to adapt) and rejects anything malformed instead
 * of recovering silently, which is what a loader that must match MuJoCo wants.
 *
 * Supported: `<?xml …?>` declarations and other processing instructions (skipped), comments,
 * `<!DOCTYPE …>` without an internal subset (skipped), CDATA and character data (kept as the
 * element's text, which MJCF does not use), single- or double-quoted attributes, and the five
 * predefined entities plus numeric character references in attribute values and text.
 * @module
 */

import { RxrlError } from '../core/errors.js';

/** A malformed XML document: the message names the line and column. */
export class XmlSyntaxError extends RxrlError {}

/** One parsed element. Attribute order is the document order. */
export interface XmlElement {
  /** Tag name, e.g. `body`. */
  readonly name: string;
  /** Attributes by name (values with entities decoded). */
  readonly attrs: ReadonlyMap<string, string>;
  /** Child elements in document order. */
  readonly children: readonly XmlElement[];
  /** Concatenated character data directly inside this element (whitespace kept). */
  readonly text: string;
  /** 1-based line of the element's `<`. */
  readonly line: number;
  /** 1-based column of the element's `<`. */
  readonly column: number;
}

const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[A-Za-z0-9_:.-]/;

/** Parses `source` and returns its root element; throws {@link XmlSyntaxError} on malformed input. */
export function parseXml(source: string, fileName = 'XML'): XmlElement {
  let pos = 0;
  const n = source.length;

  // Offsets of line starts, for positions in messages (binary search, no rescanning).
  const lineStarts = [0];
  for (let i = 0; i < n; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineCol = (at: number): [number, number] => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return [lo + 1, at - (lineStarts[lo] as number) + 1];
  };
  const where = (at: number): string => {
    const [line, col] = lineCol(at);
    return `${fileName}:${line}:${col}`;
  };
  const fail = (msg: string, at = pos): never => {
    throw new XmlSyntaxError(`${where(at)}: malformed XML: ${msg}`);
  };

  const skipWs = (): void => {
    while (pos < n && /\s/.test(source[pos] as string)) pos++;
  };
  const startsWith = (s: string): boolean => source.startsWith(s, pos);

  const decode = (raw: string, at: number): string =>
    raw.replace(/&([^;&\s]*);?/g, (match, ent: string) => {
      if (!match.endsWith(';')) fail(`unterminated entity "${match}"`, at);
      switch (ent) {
        case 'amp':
          return '&';
        case 'lt':
          return '<';
        case 'gt':
          return '>';
        case 'quot':
          return '"';
        case 'apos':
          return "'";
      }
      const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ent);
      if (m) {
        const code = ent[1] === 'x' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
        return String.fromCodePoint(code);
      }
      return fail(`unknown entity "&${ent};"`, at);
    });

  const readName = (): string => {
    const start = pos;
    if (pos >= n || !NAME_START.test(source[pos] as string)) fail('expected a name');
    while (pos < n && NAME_CHAR.test(source[pos] as string)) pos++;
    return source.slice(start, pos);
  };

  /** Skips comments, processing instructions and a DOCTYPE; returns true if something was skipped. */
  const skipMisc = (): boolean => {
    if (startsWith('<!--')) {
      const end = source.indexOf('-->', pos + 4);
      if (end < 0) fail('unterminated comment');
      pos = end + 3;
      return true;
    }
    if (startsWith('<?')) {
      const end = source.indexOf('?>', pos + 2);
      if (end < 0) fail('unterminated processing instruction');
      pos = end + 2;
      return true;
    }
    if (startsWith('<!DOCTYPE')) {
      const end = source.indexOf('>', pos);
      if (end < 0 || source.slice(pos, end).includes('[')) fail('DOCTYPE with an internal subset is not supported');
      pos = end + 1;
      return true;
    }
    return false;
  };

  const readElement = (): XmlElement => {
    const start = pos;
    pos++; // '<'
    const name = readName();
    const attrs = new Map<string, string>();
    for (;;) {
      const hadWs = pos < n && /\s/.test(source[pos] as string);
      skipWs();
      if (pos >= n) fail(`unterminated start tag <${name}>`, start);
      if (startsWith('/>')) {
        pos += 2;
        const [line, column] = lineCol(start);
        return { name, attrs, children: [], text: '', line, column };
      }
      if (startsWith('>')) {
        pos++;
        break;
      }
      if (!hadWs) fail(`expected whitespace before an attribute in <${name}>`);
      const attrAt = pos;
      const key = readName();
      skipWs();
      if (source[pos] !== '=') fail(`expected "=" after attribute "${key}" in <${name}>`);
      pos++;
      skipWs();
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail(`expected a quoted value for attribute "${key}" in <${name}>`);
      const end = source.indexOf(quote as string, pos + 1);
      if (end < 0) fail(`unterminated value of attribute "${key}" in <${name}>`, attrAt);
      const raw = source.slice(pos + 1, end);
      if (raw.includes('<')) fail(`"<" inside the value of attribute "${key}" in <${name}>`, attrAt);
      if (attrs.has(key)) fail(`duplicate attribute "${key}" in <${name}>`, attrAt);
      attrs.set(key, decode(raw, attrAt));
      pos = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (pos >= n) fail(`element <${name}> is not closed`, start);
      if (startsWith('</')) {
        const closeAt = pos;
        pos += 2;
        const closing = readName();
        skipWs();
        if (source[pos] !== '>') fail(`expected ">" to end </${closing}>`);
        pos++;
        if (closing !== name) fail(`</${closing}> does not match <${name}> opened at ${where(start)}`, closeAt);
        break;
      }
      if (startsWith('<![CDATA[')) {
        const end = source.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA section');
        text += source.slice(pos + 9, end);
        pos = end + 3;
        continue;
      }
      if (skipMisc()) continue;
      if (source[pos] === '<') {
        children.push(readElement());
        continue;
      }
      const next = source.indexOf('<', pos);
      const end = next < 0 ? n : next;
      text += decode(source.slice(pos, end), pos);
      pos = end;
    }
    const [line, column] = lineCol(start);
    return { name, attrs, children, text, line, column };
  };

  // Prolog: declarations, comments, whitespace.
  for (;;) {
    skipWs();
    if (!skipMisc()) break;
  }
  if (pos >= n || source[pos] !== '<') fail('expected a root element');
  const root = readElement();
  for (;;) {
    skipWs();
    if (!skipMisc()) break;
  }
  if (pos < n) fail('content after the root element');
  return root;
}
