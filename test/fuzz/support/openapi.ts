// Requests for every operation in the app's own OpenAPI document (GET /docs/json), so routes added
// later are fuzzed without anyone listing them here: path, query, headers and body, each either
// valid-ish (generated from the operation's schema) or hostile.
import fc from 'fast-check';

/** The part of JSON Schema that Fastify's OpenAPI output uses. */
export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
}

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { contentTypes: string[]; schema: Schema };
  secured: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: unknown; security?: unknown[] }>>;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Every operation of the document, `$ref`s resolved. */
export function operations(doc: OpenApiDocument): Operation[] {
  const resolve = (s: Schema | undefined, depth = 0): Schema => {
    if (s === undefined) return {};
    if (s.$ref !== undefined && depth < 10) {
      const name = s.$ref.replace('#/components/schemas/', '');
      return resolve(doc.components?.schemas?.[name], depth + 1);
    }
    return s;
  };
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const content = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content;
      const contentTypes = Object.keys(content ?? {});
      out.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(p.schema) })),
        ...(contentTypes.length > 0
          ? { body: { contentTypes, schema: resolve(content?.[contentTypes[0]!]?.schema) } }
          : {}),
        secured: (op.security?.length ?? 0) > 0,
      });
    }
  }
  return out;
}

/** Strings an attacker or a broken client sends where an id, a date or a name belongs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '..%2F..%2Fetc%2Fpasswd',
    '../../etc/passwd',
    '%00',
    '\u0000',
    '%E0%A4%A',
    '%',
    "' OR 1=1 --",
    '"; DROP TABLE slots; --',
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    'prototype',
    'NaN',
    'Infinity',
    '-1',
    '0',
    '1e309',
    '-0',
    '99999999999999999999999',
    '0x1F',
    'true',
    'null',
    '[]',
    '{}',
    '2026-13-45T99:99:99Z',
    '2026-02-30T10:00:00Z',
    '2026-06-30T23:59:60Z',
    '9999-12-31T23:59:59Z',
    '\u202e\u0000',
    '\ud800',
    'A'.repeat(5000),
    'x,'.repeat(200),
  ),
);

/** Values that match `schema` (mostly: patterns and formats are approximated). */
export function fromSchema(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union !== undefined && union.length > 0) return fc.oneof(...union.map((s) => fromSchema(s, depth)));
  if (schema.allOf !== undefined && schema.allOf.length > 0)
    return fromSchema(Object.assign({}, ...schema.allOf) as Schema, depth);
  const types = [schema.type ?? []].flat();
  if (types.length > 1) return fc.oneof(...types.map((type) => fromSchema({ ...schema, type }, depth)));
  switch (types[0]) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: bound(schema, 'min', -1e6), max: bound(schema, 'max', 1e6) });
    case 'number':
      return fc.double({ min: bound(schema, 'min', -1e6), max: bound(schema, 'max', 1e6), noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth > 4
        ? fc.constant([])
        : fc.array(fromSchema(schema.items ?? {}, depth + 1), {
            minLength: schema.minItems ?? 0,
            maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4)),
          });
    case 'object': {
      if (depth > 4) return fc.constant({});
      const props = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, fromSchema(s, depth + 1)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function bound(s: Schema, side: 'min' | 'max', fallback: number): number {
  const v = side === 'min' ? (s.minimum ?? s.exclusiveMinimum) : (s.maximum ?? s.exclusiveMaximum);
  const clamp = side === 'min' ? Math.max(v ?? fallback, -1e9) : Math.min(v ?? fallback, 1e9);
  if (side === 'min' && s.exclusiveMinimum !== undefined && s.minimum === undefined) return clamp + 1;
  if (side === 'max' && s.exclusiveMaximum !== undefined && s.maximum === undefined) return clamp - 1;
  return clamp;
}

function stringFor(s: Schema): fc.Arbitrary<string> {
  const max = Math.min(s.maxLength ?? 40, 200);
  const min = Math.min(s.minLength ?? 0, max);
  if (s.format === 'date-time')
    return fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (s.format === 'date')
    return fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'email') return fc.emailAddress();
  if (s.pattern !== undefined) {
    try {
      // Cut, never filtered: a filter that rejects everything (pattern {43}, cap 40) never ends.
      const re = new RegExp(s.pattern);
      return fc.stringMatching(re).map((v) => (s.maxLength === undefined ? v : v.slice(0, s.maxLength)));
    } catch {
      // A pattern JavaScript cannot compile: plain strings below.
    }
  }
  return fc.string({ minLength: min, maxLength: max });
}

/** A schema value or a hostile one: a wrong type, a hostile string, or a deeply nested structure. */
export function fuzzValue(schema: Schema, known: string[] = []): fc.Arbitrary<unknown> {
  const hostile = fc.oneof(
    hostileString,
    fc.jsonValue({ maxDepth: 3 }),
    fc.double(),
    fc.integer({ min: 1, max: 3000 }).map((d) => JSON.parse('['.repeat(d) + ']'.repeat(d)) as unknown),
    // JSON.parse makes "__proto__" an own key, as a request body would.
    fc.constant(JSON.parse('{"__proto__":{"polluted":true}}') as unknown),
  );
  const arbitraries = [
    { weight: 4, arbitrary: fromSchema(schema) },
    { weight: 2, arbitrary: hostile },
  ];
  if (known.length > 0) arbitraries.push({ weight: 3, arbitrary: fc.constantFrom(...known) });
  return fc.oneof(...arbitraries);
}

/** How a value travels in a URL: strings as they are, everything else as JSON text. */
export const asText = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));
