import { CalibrationError } from '../errors.ts';

/** An element of a parsed XML document; text content is kept only as `text` (trimmed, joined). */
export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  text: string;
  /** 1-based line of the start tag, for error messages. */
  line: number;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * A small strict XML reader, enough for PKLot annotation files (elements, attributes, comments,
 * processing instructions, CDATA) and nothing that can hurt: a DOCTYPE is refused, so there are no
 * external or user-defined entities (no XXE, no "billion laughs"), only the five predefined ones
 * and character references. Why not a library: PKLot's structure is fixed and tiny, a hand parser
 * keeps the calibration core dependency-free and loadable in the browser editor, and every
 * malformation gets a line number staff can look up. Throws `VOLNO_CALIBRATION_UNREADABLE`.
 */
export function parseXml(text: string): XmlElement {
  let pos = 0;
  const fail = (message: string): never => {
    const line = text.slice(0, pos).split('\n').length;
    throw new CalibrationError('VOLNO_CALIBRATION_UNREADABLE', `not well-formed XML: line ${line}: ${message}`);
  };
  // Lines are counted incrementally: positions only move forward, so this stays linear in the input.
  let counted = 0;
  let lines = 1;
  const lineAt = (at: number): number => {
    for (; counted < at; counted++) if (text.charCodeAt(counted) === 10) lines++;
    return lines;
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(text);
    if (!m) return fail(`expected a name at "${text.slice(pos, pos + 10)}"`);
    pos += m[0].length;
    return m[0];
  };
  const decode = (raw: string): string =>
    raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (whole, ref: string | undefined) => {
      if (ref === undefined) return fail('a bare "&" must be written &amp;');
      if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
      return ENTITIES[ref] ?? fail(`unknown entity ${whole}`);
    });
  /** Skips comments, processing instructions and (outside the root) whitespace; refuses DOCTYPE. */
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (text.startsWith('<?', pos)) {
        const end = text.indexOf('?>', pos + 2);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (text.startsWith('<!DOCTYPE', pos)) {
        fail('DOCTYPE declarations are not accepted');
      } else return;
    }
  };
  const readElement = (depth: number): XmlElement => {
    if (depth > 32) fail('elements are nested too deeply');
    const line = lineAt(pos);
    pos++; // '<'
    const name = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = pos;
      skipSpace();
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return { name, attributes, children: [], text: '', line };
      }
      if (text[pos] === '>') {
        pos++;
        break;
      }
      if (pos === before) fail(`expected whitespace, ">" or "/>" in <${name}>`);
      const key = readName();
      skipSpace();
      if (text[pos] !== '=') fail(`attribute ${key} of <${name}> has no value`);
      pos++;
      skipSpace();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") return fail(`the value of ${key} must be quoted`);
      const end = text.indexOf(quote, pos + 1);
      if (end < 0) fail(`unterminated value of ${key}`);
      const raw = text.slice(pos + 1, end);
      if (raw.includes('<')) fail(`"<" in the value of ${key}`);
      if (Object.hasOwn(attributes, key)) fail(`attribute ${key} repeated in <${name}>`);
      attributes[key] = decode(raw);
      pos = end + 1;
    }
    const children: XmlElement[] = [];
    let content = '';
    for (;;) {
      if (pos >= text.length) fail(`<${name}> (line ${line}) is never closed`);
      if (text.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}> from line ${line}`);
        skipSpace();
        if (text[pos] !== '>') fail(`expected ">" after </${closing}`);
        pos++;
        return { name, attributes, children, text: content.trim(), line };
      }
      if (text.startsWith('<!--', pos) || text.startsWith('<?', pos)) skipMisc();
      else if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA section');
        content += text.slice(pos + 9, end);
        pos = end + 3;
      } else if (text[pos] === '<') children.push(readElement(depth + 1));
      else {
        const next = text.indexOf('<', pos);
        const end = next < 0 ? text.length : next;
        content += decode(text.slice(pos, end));
        pos = end;
      }
    }
  };
  skipMisc();
  if (text[pos] !== '<') fail('the document does not start with an element');
  const root = readElement(0);
  skipMisc();
  if (pos < text.length) fail('content after the root element');
  return root;
}
