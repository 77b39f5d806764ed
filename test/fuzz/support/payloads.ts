// Hostile MQTT payloads for every message of the contract: arbitrary bytes and JSON, and the
// protocol's own valid example broken in the ways real senders and attackers break things.
import fc from 'fast-check';
import { EXAMPLES } from '../../../protocol/examples.ts';
import { MESSAGES, type MessageKind } from '../../../protocol/index.ts';

type Path = (string | number)[];
type Node = Record<string, unknown> | unknown[];

/**
 * The protocol example of `kind`, with every timestamp moved to `at` (the examples are dated in
 * the future of some test runs) and the slot/camera ids of the test server's lot, so that payloads
 * that stay valid after mutation reach the writer and change real rows.
 */
export function basePayload(kind: MessageKind, at: string): Record<string, unknown> {
  const p = structuredClone(EXAMPLES[kind].payload) as Record<string, unknown>;
  const retime = (v: unknown): unknown => {
    if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT/.test(v) ? at : v;
    if (Array.isArray(v)) return v.map(retime);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, retime(x)]));
    return v;
  };
  const out = retime(p) as Record<string, unknown>;
  if (kind === 'slot_state') out['slot_id'] = 'A1';
  return out;
}

/** The topic ids that go with {@link basePayload}. */
export function baseParams(kind: MessageKind): Record<string, string> {
  const params = { ...EXAMPLES[kind].params } as Record<string, string>;
  if (kind === 'slot_state') params['slot'] = 'A1';
  return params;
}

/** Raw JSON text for a value: some of it is not JSON at all (NaN, 0x10), which is the point. */
const rawValue: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.double().map((d) => JSON.stringify(d)),
  fc.integer({ min: 1_000, max: 70_000 }).map((n) => JSON.stringify('x'.repeat(n))),
  fc.integer({ min: 1, max: 5_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1, max: 2_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '"NaN"',
    '"Infinity"',
    '1e999',
    '-1e999',
    '-0',
    '1e-400',
    '9007199254740993',
    '18014398509481984',
    '1e21',
    '-1',
    '0.5',
    '0x10',
    '01',
    '.5',
    '+1',
    'undefined',
    'true',
    'null',
    '""',
    '[]',
    '{}',
    '"\\ud800"',
    '"a\\udfffb"',
    '"\\u0000"',
    '"2026-02-30T10:00:00Z"',
    '"2026-06-30T23:59:60Z"',
    '"9999-12-31T23:59:59.999Z"',
    '"0000-01-01T00:00:00Z"',
    '"2026-11-30T08:15:02.481+14:00"',
    '"2026-11-30 08:15:02"',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '[{"__proto__":[]}]',
  ),
);

const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '', ' '),
  fc.string({ maxLength: 20 }),
);

/** Byte sequences that are not UTF-8: a stray continuation, overlong forms, a CESU surrogate, 0xFF. */
const badUtf8 = fc.constantFrom<number[]>(
  [0x80],
  [0xff],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xf8],
);

type Edit =
  | { op: 'set'; at: number; raw: string }
  | { op: 'delete'; at: number }
  | { op: 'add'; at: number; key: string; raw: string };

type ByteEdit =
  | { op: 'none' }
  | { op: 'truncate'; at: number }
  | { op: 'utf8'; at: number; bytes: number[] }
  | { op: 'byte'; at: number; value: number }
  | { op: 'bom' }
  | { op: 'trailing'; text: string }
  | { op: 'pad'; delta: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), raw: rawValue }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: hostileKey, raw: rawValue }),
);

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ op: 'none' as const }) },
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('utf8' as const), at: fc.nat(), bytes: badUtf8 }),
  fc.record({ op: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.constant({ op: 'bom' as const }),
  fc.record({ op: fc.constant('trailing' as const), text: fc.constantFrom(',', '}', ' x', '{}', '\u0000', ' \n ') }),
  fc.record({ op: fc.constant('pad' as const), delta: fc.integer({ min: -2, max: 2 }) }),
);

/** Every path to a value inside `v` (the root excluded). */
function paths(v: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => [[...prefix, i], ...paths(x, [...prefix, i])]);
  if (v !== null && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [[...prefix, k], ...paths(x, [...prefix, k])]);
  return [];
}

function containers(v: unknown, prefix: Path = []): Path[] {
  if (v === null || typeof v !== 'object') return [];
  const own = Array.isArray(v) ? [] : [prefix];
  const kids = Array.isArray(v) ? v.map((x, i) => [x, i] as const) : Object.entries(v).map(([k, x]) => [x, k] as const);
  return [...own, ...kids.flatMap(([x, k]) => containers(x, [...prefix, k]))];
}

function parentOf(root: Node, path: Path): Node {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  return node as Node;
}

/**
 * Applies structural edits (with placeholders for raw text that JSON.stringify cannot produce),
 * serialises, then applies one byte-level edit.
 */
function mutate(base: Record<string, unknown>, edits: Edit[], bytes: ByteEdit, maxBytes: number): Buffer {
  const root = structuredClone(base);
  const raws: string[] = [];
  const placeholder = (raw: string) => `\u0000RAW${raws.push(raw) - 1}\u0000`;
  for (const e of edits) {
    if (e.op === 'add') {
      const spots = containers(root);
      const target = spots[e.at % spots.length]!;
      const obj = target.length === 0 ? root : (parentOf(root, [...target, '']) as Record<string, unknown>);
      // defineProperty, so "__proto__" becomes an own key as it would in parsed JSON.
      Object.defineProperty(obj, e.key, {
        value: placeholder(e.raw),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      continue;
    }
    const all = paths(root);
    if (all.length === 0) continue;
    const path = all[e.at % all.length]!;
    const parent = parentOf(root, path) as Record<string | number, unknown>;
    const key = path.at(-1)!;
    if (e.op === 'set') parent[key] = placeholder(e.raw);
    else if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  }
  const text = JSON.stringify(root).replace(/"\\u0000RAW(\d+)\\u0000"/g, (_, i: string) => raws[Number(i)]!);
  const buf = Buffer.from(text);
  const pos = (at: number) => at % (buf.length + 1);
  switch (bytes.op) {
    case 'none':
      return buf;
    case 'truncate':
      return buf.subarray(0, at0(bytes.at, buf.length));
    case 'utf8':
      return Buffer.concat([buf.subarray(0, pos(bytes.at)), Buffer.from(bytes.bytes), buf.subarray(pos(bytes.at))]);
    case 'byte': {
      const copy = Buffer.from(buf);
      if (copy.length > 0) copy[bytes.at % copy.length] = bytes.value;
      return copy;
    }
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf]);
    case 'trailing':
      return Buffer.concat([buf, Buffer.from(bytes.text)]);
    case 'pad':
      // Whitespace keeps the JSON valid: exactly at, just under and just over the size limit.
      return Buffer.concat([buf, Buffer.alloc(Math.max(0, maxBytes + bytes.delta - buf.length), 0x20)]);
  }
}

const at0 = (at: number, length: number) => (length === 0 ? 0 : at % length);

/**
 * Payload bytes for `kind`: random bytes, random JSON, or the valid base payload broken 0–3 ways.
 * Padding up to the size limit is skipped above `maxPad` bytes (snapshot replies may be 22 MiB).
 */
export function hostilePayload(kind: MessageKind, at: string, o: { maxPad?: number } = {}): fc.Arbitrary<Buffer> {
  const base = basePayload(kind, at);
  const { maxBytes } = MESSAGES[kind];
  const pad = maxBytes <= (o.maxPad ?? Infinity);
  return fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? '')) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.array(edit, { minLength: 0, maxLength: 3 }), byteEdit)
        .map(([edits, bytes]) => mutate(base, edits, pad || bytes.op !== 'pad' ? bytes : { op: 'none' }, maxBytes)),
    },
  );
}
