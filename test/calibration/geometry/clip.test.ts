import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { area, containsPoint, type Point } from '../../../protocol/geometry.ts';
import { clipToConvex, intersectionArea, isConvex } from '../../../calibration/geometry/clip.ts';
import { triangulate } from '../../../calibration/geometry/triangulate.ts';

const rect = (x0: number, y0: number, x1: number, y1: number): Point[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
];
/** An L: the square [0,2]² minus its top-right quarter; area 3. */
const ell: Point[] = [
  [0, 0],
  [2, 0],
  [2, 1],
  [1, 1],
  [1, 2],
  [0, 2],
];

/** A random star-shaped (hence simple) polygon: points at sorted angles around a centre. */
const star = fc
  .record({
    n: fc.integer({ min: 3, max: 10 }),
    cx: fc.double({ min: 0.3, max: 0.7, noNaN: true }),
    cy: fc.double({ min: 0.3, max: 0.7, noNaN: true }),
    // Centre 0.3–0.7 and radius ≤ 0.29 keep every point inside the unit square the grid samples.
    radii: fc.array(fc.double({ min: 0.05, max: 0.29, noNaN: true }), { minLength: 10, maxLength: 10 }),
    angles: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 10, maxLength: 10 }),
    reverse: fc.boolean(),
  })
  .map(({ n, cx, cy, radii, angles, reverse }) => {
    // Angles spread over the circle in order, each jittered within its own sector.
    const pts = Array.from({ length: n }, (_, i): Point => {
      const a = ((i + 0.2 + 0.6 * angles[i]!) / n) * 2 * Math.PI;
      return [cx + radii[i]! * Math.cos(a), cy + radii[i]! * Math.sin(a)];
    });
    return reverse ? pts.reverse() : pts;
  });

/** Area of the intersection estimated on a fine grid of cell centres. */
function gridIntersection(a: Point[], b: Point[], cells = 300): number {
  let inside = 0;
  for (let i = 0; i < cells; i++)
    for (let j = 0; j < cells; j++) {
      const p: Point = [(i + 0.5) / cells, (j + 0.5) / cells];
      if (containsPoint(a, p) && containsPoint(b, p)) inside++;
    }
  return inside / (cells * cells);
}

describe('intersectionArea', () => {
  it('is exact for rectangles, touching rectangles and disjoint ones', () => {
    expect(intersectionArea(rect(0, 0, 2, 2), rect(1, 1, 3, 4))).toBeCloseTo(1, 12);
    expect(intersectionArea(rect(0, 0, 1, 1), rect(1, 0, 2, 1))).toBe(0);
    expect(intersectionArea(rect(0, 0, 1, 1), rect(5, 5, 6, 6))).toBe(0);
    expect(intersectionArea(rect(0, 0, 4, 4), rect(1, 1, 2, 2))).toBeCloseTo(1, 12);
  });

  it('handles two concave outlines, where clipping by one of them directly would be wrong', () => {
    // The L and its mirror image share the bottom half [0,2]×[0,1]: area 2.
    const mirror = ell.map(([x, y]): Point => [2 - x, y]);
    expect(intersectionArea(ell, mirror)).toBeCloseTo(2, 12);
    // The L and its half-turn about (1.5, 1.5) both miss the square [1,2]², so they do not overlap at all.
    expect(
      intersectionArea(
        ell,
        ell.map(([x, y]): Point => [3 - x, 3 - y]),
      ),
    ).toBeCloseTo(0, 12);
    // Shifted by half a unit: checked against a fine grid rather than by hand.
    const shifted = ell.map(([x, y]): Point => [x + 0.5, y + 0.5]);
    const scaled = (p: Point[]) => p.map(([x, y]): Point => [x / 3, y / 3]);
    expect(intersectionArea(ell, shifted)).toBeCloseTo(gridIntersection(scaled(ell), scaled(shifted), 600) * 9, 2);
    // An L against itself is its own area (3), in both orientations.
    expect(intersectionArea(ell, ell)).toBeCloseTo(3, 12);
    expect(intersectionArea(ell, [...ell].reverse())).toBeCloseTo(3, 12);
  });

  it('matches a fine-grid estimate for random simple polygons, convex or not', () => {
    fc.assert(
      fc.property(star, star, (a, b) => {
        const exact = intersectionArea(a, b);
        expect(exact).not.toBeNull();
        // A 200² grid misjudges only the cells the outlines cross; their errors mostly cancel (~4e-4).
        expect(Math.abs(exact! - gridIntersection(a, b, 200))).toBeLessThan(0.004);
      }),
      { numRuns: 25 },
    );
  });

  it('is symmetric, bounded by the smaller area, and gives a polygon its own area', () => {
    fc.assert(
      fc.property(star, star, (a, b) => {
        const ab = intersectionArea(a, b)!;
        expect(ab).toBeCloseTo(intersectionArea(b, a)!, 10);
        expect(ab).toBeLessThanOrEqual(Math.min(area(a), area(b)) + 1e-12);
        expect(intersectionArea(a, a)).toBeCloseTo(area(a), 10);
      }),
      { numRuns: 200 },
    );
  });

  it('counts an outline with fewer than 3 points as empty', () => {
    expect(
      intersectionArea(
        [
          [0, 0],
          [1, 1],
        ],
        rect(0, 0, 1, 1),
      ),
    ).toBe(0);
  });
});

describe('clipToConvex and isConvex', () => {
  it('clips a concave subject with a convex window in either orientation', () => {
    const window = rect(0.5, 0.5, 1.5, 1.5);
    expect(area(clipToConvex(ell, window))).toBeCloseTo(0.75, 12);
    expect(area(clipToConvex(ell, [...window].reverse()))).toBeCloseTo(0.75, 12);
  });

  it('tells convex outlines from concave ones', () => {
    expect(isConvex(rect(0, 0, 1, 1))).toBe(true);
    expect(isConvex(ell)).toBe(false);
  });
});

describe('triangulate', () => {
  it('cuts a simple polygon into triangles whose areas add up to its area', () => {
    fc.assert(
      fc.property(star, (p) => {
        const tris = triangulate(p)!;
        expect(tris.length).toBeLessThanOrEqual(p.length - 2);
        expect(tris.reduce((s, t) => s + area(t), 0)).toBeCloseTo(area(p), 12);
      }),
      { numRuns: 200 },
    );
  });

  it('drops repeated and collinear points without producing slivers', () => {
    const p: Point[] = [
      [0, 0],
      [1, 0],
      [1, 0],
      [2, 0],
      [2, 2],
      [0, 2],
    ];
    const tris = triangulate(p)!;
    expect(tris.every((t) => area(t) > 0)).toBe(true);
    expect(tris.reduce((s, t) => s + area(t), 0)).toBeCloseTo(4, 12);
  });
});
