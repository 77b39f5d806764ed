import { SqlError, type SqlEngine, type SqlParams } from './port.ts';

/**
 * A statement's text cut at its placeholders: `parts` has one more element than `refs`. Parsed once
 * per distinct SQL text (stores reuse a handful of constant statements), rendered per engine.
 */
interface Template {
  parts: string[];
  /** 1-based positions (`$n`) or names (`:name`); never both in one statement. */
  refs: Array<number | string>;
  style: 'none' | 'positional' | 'named';
  /** Positional: the highest $n, and the first n up to it that is never used (0: none missing). */
  max: number;
  missing: number;
}

export interface Translated {
  text: string;
  values: unknown[];
}

const cache = new Map<string, Template>();
const CACHE_LIMIT = 1000;

/**
 * Translates one portable statement for `engine`: SQLite gets `?` with the values in order of
 * appearance (better-sqlite3 has no `$n`), PostgreSQL gets `$n` (named parameters numbered by
 * first appearance). Placeholders inside string literals, quoted identifiers and comments are
 * text, and `::type` casts are not parameters.
 */
export function translate(sql: string, params: SqlParams | undefined, engine: SqlEngine): Translated {
  let t = cache.get(sql);
  if (t === undefined) {
    t = parse(sql);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(sql, t);
  }
  if (t.style === 'none') {
    const given = params === undefined ? 0 : Array.isArray(params) ? params.length : Object.keys(params).length;
    if (given > 0 && Array.isArray(params)) fail(sql, `${given} parameters given, the statement has no placeholders`);
    return { text: sql, values: [] };
  }
  if (t.style === 'positional') {
    if (!Array.isArray(params)) fail(sql, 'the statement uses $n placeholders: pass an array');
    const list = params as readonly unknown[];
    if (list.length !== t.max) fail(sql, `the statement uses $1…$${t.max} but ${list.length} parameters were given`);
    if (t.missing > 0) fail(sql, `$${t.missing} is never used`);
    if (engine === 'postgres') return { text: sql, values: list.map(toValue) };
    return { text: t.parts.join('?'), values: (t.refs as number[]).map((n) => toValue(list[n - 1])) };
  }
  if (params === undefined || Array.isArray(params)) fail(sql, 'the statement uses :name placeholders: pass an object');
  const record = params as Readonly<Record<string, unknown>>;
  for (const name of t.refs as string[])
    if (!Object.prototype.hasOwnProperty.call(record, name)) fail(sql, `no value for :${name}`);
  if (engine === 'sqlite')
    return { text: t.parts.join('?'), values: (t.refs as string[]).map((n) => toValue(record[n])) };
  const order = [...new Set(t.refs as string[])];
  let text = t.parts[0]!;
  t.refs.forEach((name, i) => (text += `$${order.indexOf(name as string) + 1}${t.parts[i + 1]!}`));
  return { text, values: order.map((n) => toValue(record[n])) };
}

/** Values both drivers bind the same way; anything else is refused rather than guessed at. */
function toValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint' || Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new SqlError(
    'VOLNO_DB_PARAMS',
    `cannot bind a ${v instanceof Date ? 'Date (pass epoch milliseconds)' : typeof v} as an SQL parameter`,
  );
}

function fail(sql: string, why: string): never {
  throw new SqlError('VOLNO_DB_PARAMS', `${why}: ${sql.replace(/\s+/g, ' ').slice(0, 200)}`);
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;

function parse(sql: string): Template {
  const parts: string[] = [];
  const refs: Array<number | string> = [];
  let start = 0;
  let i = 0;
  const skipTo = (end: string, from: number) => {
    const at = sql.indexOf(end, from);
    return at < 0 ? sql.length : at + end.length;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      // A doubled quote inside is an escaped quote: the scan simply re-enters the literal.
      i = skipTo(c, i + 1);
    } else if (c === '-' && next === '-') {
      i = skipTo('\n', i + 2);
    } else if (c === '/' && next === '*') {
      i = skipTo('*/', i + 2);
    } else if (c === '$' && next !== undefined && /[0-9]/.test(next)) {
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j]!)) j += 1;
      parts.push(sql.slice(start, i));
      refs.push(Number(sql.slice(i + 1, j)));
      start = i = j;
    } else if (c === ':' && next !== undefined && IDENT_START.test(next) && sql[i - 1] !== ':') {
      let j = i + 1;
      while (j < sql.length && IDENT.test(sql[j]!)) j += 1;
      parts.push(sql.slice(start, i));
      refs.push(sql.slice(i + 1, j));
      start = i = j;
    } else if (c === '?') {
      fail(sql, 'use $n or :name placeholders, not ?');
    } else {
      i += 1;
    }
  }
  parts.push(sql.slice(start));
  const kinds = new Set(refs.map((r) => typeof r));
  if (kinds.size > 1) fail(sql, 'mixes $n and :name placeholders');
  if (refs.some((r) => r === 0)) fail(sql, 'placeholders count from $1');
  const style = refs.length === 0 ? 'none' : typeof refs[0] === 'number' ? 'positional' : 'named';
  let max = 0;
  let missing = 0;
  if (style === 'positional') {
    const used = new Set(refs as number[]);
    for (const n of used) max = Math.max(max, n);
    for (let i = max; i >= 1; i -= 1) if (!used.has(i)) missing = i;
  }
  return { parts, refs, style, max, missing };
}
