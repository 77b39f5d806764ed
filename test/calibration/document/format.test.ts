import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalCalibration,
  checkCalibrationDocument,
  parseCalibrationDocument,
  serializeCalibrationDocument,
} from '../../../calibration/document/format.ts';
import { SLOT_TYPES, type CalibrationDocument } from '../../../calibration/document/schema.ts';
import { documentWith, slot, square } from '../helpers.ts';

const coordinate = fc.double({ min: -0.5, max: 1.5, noNaN: true, noDefaultInfinity: true });
const polygon = fc.array(fc.tuple(coordinate, coordinate), { minLength: 0, maxLength: 8 });
const documents: fc.Arbitrary<CalibrationDocument> = fc
  .record({
    slots: fc.array(
      fc.record({
        id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,8}$/),
        label: fc.string({ maxLength: 12 }),
        type: fc.constantFrom(...SLOT_TYPES),
        reservable: fc.boolean(),
        polygon,
        enter_delay_s: fc.option(fc.double({ min: 0, max: 3600, noNaN: true }), { nil: undefined }),
        exit_delay_s: fc.option(fc.integer({ min: 0, max: 3600 }), { nil: undefined }),
      }),
      { maxLength: 6 },
    ),
    masks: fc.array(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 8 }),
        label: fc.option(fc.string(), { nil: undefined }),
        polygon,
      }),
      {
        maxLength: 3,
      },
    ),
    width: fc.integer({ min: 1, max: 16384 }),
    height: fc.integer({ min: 1, max: 16384 }),
    camera: fc.option(fc.constantFrom('north-1', 'cam_2'), { nil: undefined }),
  })
  .map(({ slots, masks, width, height, camera }) =>
    canonicalCalibration(
      documentWith(slots, { frame_width: width, frame_height: height, privacy_masks: masks, camera_id: camera }),
    ),
  );

describe('Volno calibration format', () => {
  it('round-trips exactly: parse(serialize(doc)) equals doc and serialising again gives the same text', () => {
    fc.assert(
      fc.property(documents, (doc) => {
        const text = serializeCalibrationDocument(doc);
        const back = parseCalibrationDocument(text);
        expect(back.ok).toBe(true);
        if (!back.ok) return;
        expect(back.value).toStrictEqual(doc);
        expect(serializeCalibrationDocument(back.value)).toBe(text);
      }),
      { numRuns: 150 },
    );
  });

  it('writes one point per line in a stable key order that a person can diff', () => {
    const doc = documentWith([slot('A01', square(0.1, 0.2), { exit_delay_s: 60 })]);
    const text = serializeCalibrationDocument(doc);
    expect(text).toContain('"polygon": [\n        [0.1, 0.2],\n');
    expect(text.indexOf('"format"')).toBeLessThan(text.indexOf('"frame_width"'));
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseCalibrationDocument(new TextEncoder().encode(text))).toEqual({ ok: true, value: doc });
  });

  it('rejects a file of another kind, a newer format version and schema errors with path: message lines', () => {
    const doc = documentWith([slot('A01', square(0.1, 0.1))]);
    const notOurs = checkCalibrationDocument({ slots: [] });
    expect(!notOurs.ok && notOurs.error.issues).toEqual(['/format: must be "volno-calibration"']);
    const newer = checkCalibrationDocument({ ...doc, format_version: 2 });
    expect(!newer.ok && newer.error.code).toBe('VOLNO_CALIBRATION_FORMAT_VERSION');
    expect(!newer.ok && newer.error.message).toMatch(/format_version 2.*newer Volno/);
    const noVersion = checkCalibrationDocument({ ...doc, format_version: '1' });
    expect(!noVersion.ok && noVersion.error.code).toBe('VOLNO_CALIBRATION_FORMAT_VERSION');
    const bad = checkCalibrationDocument({
      ...doc,
      slots: [{ ...doc.slots[0], type: 'vip', polygon: [[0.1, 0.2, 0.3]], colour: 'red' }],
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('VOLNO_CALIBRATION_INVALID');
    expect(bad.error.issues).toEqual(
      expect.arrayContaining([
        '/slots/0: unknown property "colour"',
        '/slots/0/type: must be one of "standard", "disabled", "ev", "visitor", "staff"',
      ]),
    );
    expect(bad.error.issues.some((l) => l.startsWith('/slots/0/polygon/0:'))).toBe(true);
  });

  it('refuses text that is not JSON, bytes that are not UTF-8, and files over the size limit without parsing them', () => {
    const notJson = parseCalibrationDocument('{"format": ');
    expect(!notJson.ok && notJson.error.code).toBe('VOLNO_CALIBRATION_UNREADABLE');
    const notUtf8 = parseCalibrationDocument(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(!notUtf8.ok && notUtf8.error.code).toBe('VOLNO_CALIBRATION_UNREADABLE');
    const big = parseCalibrationDocument(' '.repeat(2000), { maxBytes: 1000 });
    expect(!big.ok && big.error.code).toBe('VOLNO_CALIBRATION_TOO_LARGE');
    for (const v of [null, [], 'x', 3]) expect(checkCalibrationDocument(v).ok).toBe(false);
  });

  it('accepts a byte-order mark, which Windows editors add', () => {
    const text = serializeCalibrationDocument(documentWith([]));
    expect(parseCalibrationDocument(`\uFEFF${text}`).ok).toBe(true);
  });
});
