import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Point } from '../../protocol/geometry.ts';
import { CalibrationError } from '../../calibration/errors.ts';
import {
  applyHomography,
  composeHomography,
  homographyFromPoints,
  IDENTITY,
  invertHomography,
  projectPoint,
  reprojectionError,
  type Homography,
} from '../../calibration/homography.ts';

/**
 * A convex-ish quad: the unit square's corners jittered by up to 0.3, then scaled and moved. Excluded on
 * purpose: quads where any three corners are nearly collinear (a triangle of them under 2 % of the
 * scale squared). Four points with three on a line determine no homography well: the seeded run of
 * issue 14 found one at 1e-4 and the 1e-9 tolerance failed on rounding, not on a bug. The fitting
 * code refuses exactly collinear points (VOLNO_HOMOGRAPHY_DEGENERATE, tested below).
 */
const quad = fc
  .record({
    jitter: fc.array(fc.double({ min: -0.3, max: 0.3, noNaN: true }), { minLength: 8, maxLength: 8 }),
    scale: fc.double({ min: 1, max: 2000, noNaN: true }),
    dx: fc.double({ min: -500, max: 2000, noNaN: true }),
    dy: fc.double({ min: -500, max: 2000, noNaN: true }),
  })
  .map(({ jitter, scale, dx, dy }) =>
    (
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ] as const
    ).map(([x, y], i): Point => [(x + jitter[2 * i]!) * scale + dx, (y + jitter[2 * i + 1]!) * scale + dy]),
  )
  .filter((q) => {
    const scale = Math.max(Math.hypot(q[2]![0] - q[0]![0], q[2]![1] - q[0]![1]), 1e-12);
    const tri = (a: Point, b: Point, c: Point) =>
      Math.abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) / 2;
    return [0, 1, 2, 3].every((i) => tri(q[i]!, q[(i + 1) % 4]!, q[(i + 2) % 4]!) >= 0.02 * scale * scale);
  });

const close = (a: Point, b: Point, tol: number) => Math.hypot(a[0] - b[0], a[1] - b[1]) <= tol;

describe('homographyFromPoints', () => {
  it('maps each of 4 reference points exactly onto its partner', () => {
    fc.assert(
      fc.property(quad, quad, (src, dst) => {
        const h = homographyFromPoints(src, dst);
        const size = Math.max(...dst.flat().map(Math.abs), 1);
        src.forEach((p, i) => expect(close(applyHomography(h, p), dst[i]!, 1e-9 * size)).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it('recovers a known homography from 4 points and from 12, in pixel and unit coordinates', () => {
    const truth: Homography = [0.92, -0.21, 130, 0.08, 0.61, 40, 0.0002, 0.0009, 1];
    for (const scale of [1, 1280]) {
      const src: Point[] = Array.from({ length: 12 }, (_, i): Point => [
        ((i % 4) / 3) * scale,
        (Math.floor(i / 4) / 2) * scale * 0.6 + (i % 3) * 0.01 * scale,
      ]);
      const t = scale === 1 ? composeHomography(truth, [1280, 0, 0, 0, 1280, 0, 0, 0, 1]) : truth;
      const dst = src.map((p) => applyHomography(t, p));
      for (const n of [4, 12]) {
        const pick = n === 4 ? [src[0]!, src[3]!, src[11]!, src[8]!] : src;
        const h = homographyFromPoints(
          pick,
          pick.map((p) => applyHomography(t, p)),
        );
        h.forEach((v, i) => expect(v).toBeCloseTo(t[i]!, 9));
        expect(reprojectionError(h, src, dst).max).toBeLessThan(1e-6);
      }
    }
  });

  it('fits noisy pairs in the least-squares sense, with an error of the order of the noise', () => {
    const truth: Homography = [1.1, 0.2, 15, -0.1, 0.9, 30, 0.0003, -0.0002, 1];
    let seed = 7;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 2; // ±1 px, deterministic
    const src: Point[] = Array.from({ length: 40 }, (_, i): Point => [(i % 8) * 150, Math.floor(i / 8) * 140]);
    const dst = src.map((p): Point => {
      const q = applyHomography(truth, p);
      return [q[0] + noise(), q[1] + noise()];
    });
    const h = homographyFromPoints(src, dst);
    expect(reprojectionError(h, src, dst).rms).toBeLessThan(1);
    const probe: Point = [500, 300];
    expect(close(applyHomography(h, probe), applyHomography(truth, probe), 1)).toBe(true);
  });

  it('refuses three collinear points, repeated points and too few pairs with a stable code', () => {
    const good: Point[] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    const collinear: Point[] = [
      [0, 0],
      [0.5, 0.5],
      [1, 1],
      [0, 1],
    ];
    const cases: [Point[], Point[], RegExp][] = [
      [collinear, good, /reference points 1, 2, 3 lie/],
      [good, collinear, /reference points 1, 2, 3 lie/],
      [
        [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        good,
        /coincide/,
      ],
      [good.slice(0, 3), good.slice(0, 3), /at least 4/],
      [
        [
          [0, 0],
          [1, 0],
          [1, NaN],
          [0, 1],
        ],
        good,
        /finite/,
      ],
    ];
    for (const [src, dst, message] of cases) {
      const err = (() => {
        try {
          homographyFromPoints(src, dst);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(CalibrationError);
      expect((err as CalibrationError).code).toBe('VOLNO_HOMOGRAPHY_DEGENERATE');
      expect((err as CalibrationError).message).toMatch(message);
    }
  });

  it('refuses more than 4 points that all lie on one line', () => {
    const line: Point[] = [0, 1, 2, 3, 4, 5].map((i): Point => [i, 2 * i]);
    expect(() => homographyFromPoints(line, line)).toThrow(/unique homography/);
  });
});

describe('homography algebra', () => {
  it('an inverse undoes the map and composing with it gives the identity', () => {
    fc.assert(
      fc.property(quad, quad, (src, dst) => {
        const h = homographyFromPoints(src, dst);
        const inv = invertHomography(h);
        const id = composeHomography(inv, h);
        id.forEach((v, i) => expect(v).toBeCloseTo(IDENTITY[i]!, 6));
        dst.forEach((p, i) =>
          expect(close(applyHomography(inv, p), src[i]!, 1e-6 * Math.max(1, ...src.flat().map(Math.abs)))).toBe(true),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('reports the sign of the weight so callers can tell points beyond the horizon', () => {
    const h: Homography = [1, 0, 0, 0, 1, 0, 0, 1, 1]; // w = y + 1: the line y = -1 is the horizon
    expect(projectPoint(h, [0, 0]).w).toBeGreaterThan(0);
    expect(projectPoint(h, [0, -2]).w).toBeLessThan(0);
  });

  it('refuses to invert a singular matrix', () => {
    expect(() => invertHomography([1, 2, 3, 2, 4, 6, 0, 0, 1])).toThrow(CalibrationError);
  });
});
