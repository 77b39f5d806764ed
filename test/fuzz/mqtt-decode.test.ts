import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  MESSAGE_KINDS,
  MESSAGES,
  ProtocolError,
  type MessageKind,
} from '../../protocol/index.ts';
import { fuzz, fuzzRuns, fuzzTimeMs } from './support/fuzz.ts';
import { basePayload, hostilePayload } from './support/payloads.ts';

const AT = '2026-01-15T10:00:00.000Z';
const CODES = new Set(['VOLNO_PAYLOAD_NOT_JSON', 'VOLNO_PAYLOAD_TOO_LARGE', 'VOLNO_PAYLOAD_INVALID']);

const parses = (b: Buffer) => {
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b));
    return true;
  } catch {
    return false;
  }
};

/** Object.prototype must come out of every decode exactly as it went in. */
const protoKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join();

describe('decodeMessage under fuzzing', () => {
  it('accepts the base payload of every message kind, so mutations start from valid data', () => {
    for (const kind of MESSAGE_KINDS) expect(decodeMessage(kind, JSON.stringify(basePayload(kind, AT))).ok).toBe(true);
  });

  it.each(MESSAGE_KINDS)(
    'never throws on hostile %s payloads, names the right error, and lets only re-encodable values through',
    async (kind: MessageKind) => {
      const before = protoKeys();
      const { maxBytes } = MESSAGES[kind];
      await fuzz(
        `decode ${kind}`,
        fc.property(hostilePayload(kind, AT, { maxPad: 64 * 1024 }), (bytes) => {
          const result = decodeMessage(kind, bytes);
          if (bytes.byteLength > maxBytes) {
            expect(result.ok || result.error.code).toBe('VOLNO_PAYLOAD_TOO_LARGE');
            return;
          }
          if (!result.ok) {
            expect(result.error).toBeInstanceOf(ProtocolError);
            expect(CODES.has(result.error.code), result.error.code).toBe(true);
            expect(result.error.message.length).toBeGreaterThan(0);
            // Not JSON exactly when JSON.parse refuses the text; anything else is a schema problem.
            expect(result.error.code === 'VOLNO_PAYLOAD_NOT_JSON').toBe(!parses(bytes));
            for (const issue of result.error.issues) expect(issue).toMatch(/^\/.*: /);
            return;
          }
          // Whatever got through is a value the contract can send again, unchanged.
          expect(JSON.parse(encodeMessage(kind, result.value as never))).toEqual(result.value);
          expect(Object.prototype.hasOwnProperty.call(result.value, '__proto__')).toBe(false);
        }),
        { runs: fuzzRuns(300), timeLimitMs: fuzzTimeMs(2000) },
      );
      expect(protoKeys()).toBe(before);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    },
  );

  it.each(MESSAGE_KINDS)('accepts a valid %s padded to exactly its size limit and refuses one byte more', (kind) => {
    const { maxBytes } = MESSAGES[kind];
    const text = JSON.stringify(basePayload(kind, AT));
    const padded = (n: number) => Buffer.concat([Buffer.from(text), Buffer.alloc(n - Buffer.byteLength(text), 0x20)]);
    expect(decodeMessage(kind, padded(maxBytes)).ok).toBe(true);
    const over = decodeMessage(kind, padded(maxBytes + 1));
    expect(over.ok || over.error.code).toBe('VOLNO_PAYLOAD_TOO_LARGE');
  });
});
