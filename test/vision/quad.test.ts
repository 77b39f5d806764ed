import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VisionError } from '../../edge/vision/index.ts';
import { convexHull, slotPolygonProblem, slotQuad } from '../../edge/vision/quad.ts';

type Pt = readonly [number, number];

/** True when p lies inside or on the convex quad (clockwise on screen). */
function insideConvex(quad: readonly Pt[], p: Pt, eps = 1e-6): boolean {
  for (let i = 0; i < quad.length; i++) {
    const a = quad[i]!;
    const b = quad[(i + 1) % quad.length]!;
    const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
    if (cross < -eps * Math.max(1, Math.hypot(b[0] - a[0], b[1] - a[1]))) return false;
  }
  return true;
}

describe('slotQuad', () => {
  it('keeps a convex 4-point slot and starts at its top-left corner, clockwise', () => {
    const q = slotQuad([
      [741, 654],
      [775, 582],
      [608, 526],
      [608, 613],
    ]);
    expect(q).toEqual([
      [608, 526],
      [775, 582],
      [741, 654],
      [608, 613],
    ]);
  });

  it('gives the same quad whichever corner and direction the outline starts with', () => {
    const cw: Pt[] = [
      [10, 10],
      [50, 12],
      [48, 40],
      [12, 38],
    ];
    const expected = slotQuad(cw);
    for (let k = 0; k < 4; k++) {
      const rotated = [...cw.slice(k), ...cw.slice(0, k)];
      expect(slotQuad(rotated)).toEqual(expected);
      expect(slotQuad([...rotated].reverse())).toEqual(expected);
    }
  });

  it('reduces an outline with extra points along its sides to its four corners', () => {
    const q = slotQuad([
      [0, 0],
      [50, 0],
      [100, 0],
      [100, 30],
      [100, 60],
      [40, 60],
      [0, 60],
    ]);
    expect(q).toEqual([
      [0, 0],
      [100, 0],
      [100, 60],
      [0, 60],
    ]);
  });

  it('encloses every point of any polygon with more than four points', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })), {
          minLength: 5,
          maxLength: 12,
        }),
        (points) => {
          fc.pre(convexHull(points).length >= 3);
          const q = slotQuad(points);
          expect(q).toHaveLength(4);
          for (const p of points) expect(insideConvex(q, p)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('turns a triangle into the smallest rectangle around it', () => {
    const q = slotQuad([
      [0, 0],
      [10, 0],
      [0, 10],
    ]);
    const area = Math.abs(q.reduce((s, p, i) => s + p[0] * q[(i + 1) % 4]![1] - q[(i + 1) % 4]![0] * p[1], 0) / 2);
    expect(area).toBeCloseTo(100, 6);
  });

  it('grows the quad about its centre by `expand`', () => {
    const q = slotQuad(
      [
        [10, 10],
        [30, 10],
        [30, 20],
        [10, 20],
      ],
      0.5,
    );
    expect(q).toEqual([
      [5, 7.5],
      [35, 7.5],
      [35, 22.5],
      [5, 22.5],
    ]);
  });

  it.each([
    [
      'two points',
      [
        [0, 0],
        [1, 1],
      ],
    ],
    [
      'points on one line',
      [
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 3],
      ],
    ],
    [
      'a NaN coordinate',
      [
        [0, 0],
        [10, 0],
        [10, Number.NaN],
        [0, 10],
      ],
    ],
  ])('refuses a polygon with %s', (_what, polygon) => {
    expect(() => slotQuad(polygon as [number, number][])).toThrowError(
      expect.objectContaining({ code: 'VOLNO_POLYGON_INVALID' }) as unknown as VisionError,
    );
  });

  it('explains an unusable polygon without throwing, for calibration checks', () => {
    expect(
      slotPolygonProblem([
        [0, 0],
        [5, 5],
        [10, 10],
      ]),
    ).toMatch(/no area/);
    expect(
      slotPolygonProblem([
        [0, 0],
        [10, 0],
        [10, 10],
      ]),
    ).toBeNull();
  });
});
