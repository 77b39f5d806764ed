import { describe, expect, it } from 'vitest';
import {
  decodeFeatures,
  decodeMessage,
  encodeFeatures,
  encodeMessage,
  MAX_EXEMPLARS,
  MESSAGES,
  type SnapshotClassified,
} from '../../protocol/index.ts';
import { EXAMPLES } from '../../protocol/examples.ts';

const DIM = 646;

function classified(slots: number, dim = DIM): SnapshotClassified {
  const row = new Float32Array(dim).map((_, j) => Math.sin(j) * 3);
  return {
    model_id: 'volno-yolox-slot-v1',
    calibration_version: 3,
    dim,
    generic_head: { weights: [...row].map((v) => v / 10), bias: -0.25 },
    slots: Array.from({ length: slots }, (_, i) => ({
      slot_id: `s${i}`,
      p_occupied: (i % 10) / 10,
      features_base64: encodeFeatures(row),
    })),
  };
}

const reply = (c: unknown, jpegBase64 = '/9j/4AAQ') => ({
  ...EXAMPLES.snapshot_reply.payload,
  result: 'ok',
  width: 1280,
  height: 720,
  captured_at: '2026-12-04T10:00:00.000Z',
  jpeg_base64: jpegBase64,
  classified: c,
});

const tuned = (over: Record<string, unknown> = {}) => ({
  ...EXAMPLES.calibration.payload,
  tuned_head: {
    model_id: 'volno-yolox-slot-v1',
    dim: 3,
    weights: [0.5, -1, 2],
    bias: 0.1,
    labels: 40,
    accuracy_generic: 0.8,
    accuracy_tuned: 0.95,
    fitted_at: '2026-12-04T10:00:00.000Z',
    ...over,
  },
});

const issuesOf = (kind: 'snapshot_reply' | 'calibration', payload: unknown): string[] => {
  const r = decodeMessage(kind, JSON.stringify(payload));
  return r.ok ? [] : [...r.error.issues];
};

describe('features on the wire', () => {
  it('round-trips Float32 values exactly, little-endian', () => {
    const values = Float32Array.from([0, -1.5, 3.25e-7, 123456.789, -0]);
    const text = encodeFeatures(values);
    expect(Buffer.from(text, 'base64').readFloatLE(4)).toBe(-1.5);
    expect(decodeFeatures(text, 5)).toEqual(values);
  });

  it('refuses a wrong length and non-finite values', () => {
    expect(decodeFeatures(encodeFeatures(new Float32Array(4)), 5)).toBeNull();
    expect(decodeFeatures(encodeFeatures(Float32Array.from([1, Number.NaN])), 2)).toBeNull();
    expect(decodeFeatures(encodeFeatures(Float32Array.from([Infinity, 1])), 2)).toBeNull();
  });
});

describe('a snapshot reply with the model’s verdict and features', () => {
  it('survives encode and decode unchanged', () => {
    const payload = reply(classified(5));
    const decoded = decodeMessage('snapshot_reply', Buffer.from(encodeMessage('snapshot_reply', payload as never)));
    expect(decoded).toEqual({ ok: true, value: payload });
  });

  // 646: the first volno-yolox-slot-v1; 1286: its rebuild with more feature maps.
  it.each([646, 1286])(
    'fits the message limit and the broker’s packet limit with 300 slots × %i features beside the largest JPEG',
    (dim) => {
      const jpeg = 'A'.repeat(16_000_000); // the schema's largest JPEG
      const wire = encodeMessage('snapshot_reply', reply(classified(300, dim), jpeg) as never);
      expect(wire.length).toBeLessThan(MESSAGES.snapshot_reply.maxBytes);
      // deploy/mosquitto/volno.conf: max_packet_size 25165824
      expect(wire.length + 200).toBeLessThan(25_165_824);
      expect(decodeMessage('snapshot_reply', Buffer.from(wire)).ok).toBe(true);
    },
  );

  it('refuses features whose length does not match dim, with their path', () => {
    const c = classified(2);
    c.slots[1]!.features_base64 = encodeFeatures(new Float32Array(DIM - 1));
    expect(issuesOf('snapshot_reply', reply(c))).toEqual([
      `/classified/slots/1/features_base64: must hold ${DIM} finite Float32 values (${DIM * 4} bytes)`,
    ]);
  });

  it('refuses non-finite features, a generic head of the wrong length and duplicate slots', () => {
    const c = classified(3, 4);
    c.slots[0]!.features_base64 = encodeFeatures(Float32Array.from([1, 2, Number.NaN, 4]));
    c.slots[2]!.slot_id = 's1';
    c.generic_head.weights.pop();
    expect(issuesOf('snapshot_reply', reply(c)).sort()).toEqual([
      '/classified/generic_head/weights: has 3 values, not dim = 4',
      '/classified/slots/0/features_base64: must hold 4 finite Float32 values (16 bytes)',
      '/classified/slots/2/slot_id: duplicates "s1"',
    ]);
  });

  it('refuses a probability outside 0–1 and an unknown key', () => {
    const c = classified(1, 2) as unknown as { slots: Record<string, unknown>[] };
    c.slots[0]!['p_occupied'] = 1.5;
    c.slots[0]!['extra'] = true;
    const issues = issuesOf('snapshot_reply', reply(c));
    expect(issues.some((i) => i.startsWith('/classified/slots/0/p_occupied:'))).toBe(true);
    expect(issues).toContain('/classified/slots/0: unknown property "extra"');
  });
});

describe('a calibration with a tuned head', () => {
  it('survives encode and decode unchanged', () => {
    const payload = tuned();
    expect(decodeMessage('calibration', encodeMessage('calibration', payload as never))).toEqual({
      ok: true,
      value: payload,
    });
  });

  it('refuses weights whose count is not dim', () => {
    expect(issuesOf('calibration', tuned({ weights: [1, 2] }))).toEqual([
      '/tuned_head/weights: has 2 values, not dim = 3',
    ]);
  });

  it('refuses non-numbers, accuracies outside 0–1 and a missing label count', () => {
    const issues = issuesOf('calibration', tuned({ weights: [1, 'x', 2], accuracy_tuned: 1.2, labels: undefined }));
    expect(issues.some((i) => i.startsWith('/tuned_head/weights/1:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('/tuned_head/accuracy_tuned:'))).toBe(true);
    expect(issues).toContain('/tuned_head/labels: is required');
  });

  it('cannot carry NaN or Infinity: JSON has no such numbers, so they arrive as null and are refused', () => {
    const issues = issuesOf('calibration', tuned({ bias: Number.NaN }));
    expect(issues.some((i) => i.startsWith('/tuned_head/bias:'))).toBe(true);
  });
});

describe('a calibration with per-slot exemplars', () => {
  const withExemplars = (over: Record<string, unknown> = {}, rows = 1, dim = 3) => {
    const base = EXAMPLES.calibration.payload;
    const slot = base.slots[0]!.slot_id;
    return {
      ...base,
      slot_exemplars: {
        model_id: 'volno-yolox-slot-v1',
        dim,
        max_distance: 0.4,
        exemplars: Array.from({ length: rows }, (_, i) => ({
          slot_id: slot,
          occupied: i % 2 === 0,
          features_base64: encodeFeatures(new Float32Array(dim).map((_, j) => Math.cos(i + j))),
        })),
        ...over,
      },
    };
  };

  it('survives encode and decode unchanged', () => {
    const payload = withExemplars({}, 2);
    expect(decodeMessage('calibration', encodeMessage('calibration', payload as never))).toEqual({
      ok: true,
      value: payload,
    });
  });

  it('refuses an exemplar of a slot the calibration does not have, and features that are not dim finite values', () => {
    const p = withExemplars();
    p.slot_exemplars.exemplars.push({
      slot_id: 'ZZ9',
      occupied: true,
      features_base64: encodeFeatures(new Float32Array(2)),
    });
    expect(issuesOf('calibration', p).sort()).toEqual([
      '/slot_exemplars/exemplars/1/features_base64: must hold 3 finite Float32 values (12 bytes)',
      '/slot_exemplars/exemplars/1/slot_id: "ZZ9" is not a slot of this calibration',
    ]);
  });

  it('refuses a distance outside (0, 2], an empty list and more than MAX_EXEMPLARS rows', () => {
    expect(issuesOf('calibration', withExemplars({ max_distance: 0 })).length).toBeGreaterThan(0);
    expect(issuesOf('calibration', withExemplars({ max_distance: 2.5 })).length).toBeGreaterThan(0);
    expect(issuesOf('calibration', withExemplars({ exemplars: [] })).length).toBeGreaterThan(0);
    expect(issuesOf('calibration', withExemplars({}, MAX_EXEMPLARS + 1, 1)).length).toBeGreaterThan(0);
  });

  it('fits the message limit with the largest reference JPEG and 3 MiB of exemplars (the server’s budget)', () => {
    const dim = 1286;
    const rows = Math.floor((3 * 1024 * 1024) / (Math.ceil((dim * 4) / 3) * 4));
    const p = { ...withExemplars({}, rows, dim), reference_jpeg_base64: 'A'.repeat(8_000_000) };
    const wire = encodeMessage('calibration', p as never);
    expect(wire.length).toBeLessThan(MESSAGES.calibration.maxBytes);
    expect(decodeMessage('calibration', Buffer.from(wire)).ok).toBe(true);
  });
});
