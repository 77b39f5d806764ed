import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contextQuad, cropPlan, fillPad, pixelMap, slotQuad, type Quad } from '../../edge/vision/index.ts';
import { TEST_SEED } from '../support/seed.ts';

const side = (q: Quad, a: number, b: number) => Math.hypot(q[a]![0] - q[b]![0], q[a]![1] - q[b]![1]);

describe('cropPlan', () => {
  const long: [number, number][] = [
    [100, 100],
    [300, 100],
    [300, 150],
    [100, 150],
  ];

  it('letterboxes a long slot into the input with its aspect ratio kept, centred', () => {
    const plan = cropPlan(long, 'letterbox', 0, 64, 64);
    expect(plan.region).toEqual({ x: 0, y: 24, width: 64, height: 16 });
    expect(plan.quad).toEqual(slotQuad(long, 0));
  });

  it('turns a tall slot into a tall region', () => {
    const tall = long.map(([x, y]) => [y, x] as [number, number]);
    const plan = cropPlan(tall, 'letterbox', 0.1, 64, 64);
    expect(plan.region!.height).toBe(64);
    expect(plan.region!.width).toBe(16);
  });

  it('squashes the grown quad into the whole input in quad mode (SlotNet)', () => {
    const plan = cropPlan(long, 'quad', 0.1, 48, 48);
    expect(plan.region).toBeUndefined();
    expect(plan.quad).toEqual(slotQuad(long, 0.1));
  });

  it('widens the short side to the long one in square mode', () => {
    const q = cropPlan(long, 'square', 0, 64, 64).quad;
    expect(side(q, 0, 1)).toBeCloseTo(200, 6);
    expect(side(q, 1, 2)).toBeCloseTo(200, 6);
  });

  it('fills the pad with grey 114 as the model normalises it', () => {
    const data = new Float32Array(3 * 4 * 4);
    fillPad({ data, offset: 0, width: 4, height: 4 }, pixelMap('rgb', 1 / 255, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]));
    for (const v of data) expect(v).toBeCloseTo((114 / 255 - 0.5) / 0.25, 6);
  });
});

describe('contextQuad', () => {
  it('keeps the region inside the input and the slot ratio for any convex slot (seeded property)', () => {
    const pt = fc.tuple(fc.double({ min: 0, max: 1000, noNaN: true }), fc.double({ min: 0, max: 1000, noNaN: true }));
    fc.assert(
      fc.property(fc.array(pt, { minLength: 4, maxLength: 6 }), (pts) => {
        let q: Quad;
        try {
          q = slotQuad(pts, 0);
        } catch {
          return; // degenerate outlines are refused by slotQuad, tested in quad.test.ts
        }
        const w = (side(q, 0, 1) + side(q, 3, 2)) / 2;
        const h = (side(q, 0, 3) + side(q, 1, 2)) / 2;
        if (Math.min(w, h) < 1) return;
        const plan = cropPlan(pts, 'letterbox', 0, 64, 64);
        const r = plan.region!;
        expect(r.x).toBeGreaterThanOrEqual(0);
        expect(r.y).toBeGreaterThanOrEqual(0);
        expect(r.x + r.width).toBeLessThanOrEqual(64);
        expect(r.y + r.height).toBeLessThanOrEqual(64);
        expect(Math.max(r.width, r.height)).toBe(64);
        const c = contextQuad(q, 0.2);
        for (const [x, y] of c) expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
      }),
      { seed: TEST_SEED, numRuns: 300 },
    );
  });
});
