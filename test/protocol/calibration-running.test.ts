import { describe, expect, it } from 'vitest';
import { calibrationDigest } from '../../protocol/calibration-digest.ts';
import { EXAMPLES } from '../../protocol/examples.ts';
import { calibrationContent, canonicalJson, decodeMessage } from '../../protocol/index.ts';

describe('the running-calibration report', () => {
  it('carries the hash of its calibration content, as the docs example shows', () => {
    const ex = EXAMPLES.calibration_running.payload;
    expect(calibrationDigest(ex.calibration)).toBe(ex.sha256);
  });

  it('hashes content only: version, issue time and reference image do not change the hash', () => {
    const cal = EXAMPLES.calibration.payload;
    const other = { ...cal, version: 9, issued_at: '2027-01-01T00:00:00.000Z', reference_jpeg_base64: 'AAAA' };
    expect(calibrationDigest(calibrationContent(other))).toBe(calibrationDigest(calibrationContent(cal)));
    const moved = structuredClone(cal);
    moved.slots[0]!.polygon[0] = [0.476, 0.851];
    expect(calibrationDigest(calibrationContent(moved))).not.toBe(calibrationDigest(calibrationContent(cal)));
  });

  it('serialises canonically: key order does not matter, a parse and re-serialise gives the same text', () => {
    expect(canonicalJson({ b: [1, { d: 0.1, c: null }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":null,"d":0.1}]}');
    const text = canonicalJson(EXAMPLES.calibration_running.payload.calibration);
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });

  it('refuses duplicate slot ids inside the reported calibration, with the path under /calibration', () => {
    const bad = structuredClone(EXAMPLES.calibration_running.payload);
    bad.calibration.slots.push({ ...bad.calibration.slots[0]! });
    const r = decodeMessage('calibration_running', JSON.stringify(bad));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues).toEqual(['/calibration/slots/1/slot_id: duplicates /slots/0/slot_id "A07"']);
  });
});
