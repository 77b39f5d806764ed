import { describe, expect, it } from 'vitest';
import { calibrationDigest } from '../../protocol/calibration-digest.ts';
import { EXAMPLES } from '../../protocol/examples.ts';
import { calibrationContent, canonicalJson, decodeMessage, MESSAGES } from '../../protocol/index.ts';
import { CalibrationPayload, PolygonSchema } from '../../protocol/payloads/calibration.ts';
import { MAX_FEATURE_DIM } from '../../protocol/payloads/tuning.ts';

/**
 * The largest report a legitimate agent can send: every list at the schema's maxItems, every id at
 * 64 characters, and every number written with the most characters JSON.stringify ever uses for it.
 */
function largestReport(): string {
  const coordinate = 0.0000016552767468862059; // 24 characters: the longest in 0–1 (searched: 200k doubles)
  const anyNumber = -0.0000041674133304569395; // 25: the longest of any double
  const bigInteger = 1.2345678901234567e300; // 23: an integer without a maximum
  const id = 'x'.repeat(64);
  const time = new Date(8.64e15).toISOString(); // +275760-09-13T00:00:00.000Z, the longest toISOString
  const c = CalibrationPayload.properties;
  // The schema's own limits, read as the JSON Schema they are.
  const limit = (schema: object, key: 'maxItems' | 'maximum') => (schema as Record<string, number>)[key]!;
  const polygon = Array.from({ length: limit(PolygonSchema, 'maxItems') }, () => [coordinate, coordinate]);
  return JSON.stringify({
    agent_id: id,
    session_id: id,
    seq: Number.MAX_SAFE_INTEGER,
    sent_at: time,
    camera_id: id,
    origin: 'published',
    version: bigInteger,
    issued_at: time,
    sha256: 'f'.repeat(64),
    calibration: {
      frame_width: limit(c.frame_width, 'maximum'),
      frame_height: limit(c.frame_height, 'maximum'),
      slots: Array.from({ length: limit(c.slots, 'maxItems') }, () => ({
        slot_id: id,
        polygon,
        enter_delay_s: coordinate,
        exit_delay_s: coordinate,
      })),
      privacy_masks: Array.from({ length: limit(c.privacy_masks, 'maxItems') }, () => polygon),
      tuned_head: {
        model_id: 'm'.repeat(128),
        dim: MAX_FEATURE_DIM,
        weights: Array(MAX_FEATURE_DIM).fill(anyNumber),
        bias: anyNumber,
        labels: bigInteger,
        accuracy_generic: coordinate,
        accuracy_tuned: coordinate,
        fitted_at: time,
      },
    },
  });
}

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

  it('has a size limit just above the largest report the schema allows (no reference image in it)', () => {
    const largest = Buffer.byteLength(largestReport());
    expect(largest).toBeGreaterThan(1_900_000); // the worst case is really built: ~1.96 MiB
    expect(MESSAGES.calibration_running.maxBytes).toBeGreaterThanOrEqual(largest);
    // Every retained replay of a report is read whole before it is parsed: no room to spare for padding.
    expect(MESSAGES.calibration_running.maxBytes).toBeLessThan(largest * 1.1);
  });

  it('refuses duplicate slot ids inside the reported calibration, with the path under /calibration', () => {
    const bad = structuredClone(EXAMPLES.calibration_running.payload);
    bad.calibration.slots.push({ ...bad.calibration.slots[0]! });
    const r = decodeMessage('calibration_running', JSON.stringify(bad));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues).toEqual(['/calibration/slots/1/slot_id: duplicates /slots/0/slot_id "A07"']);
  });
});
