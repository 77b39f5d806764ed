import type { Point } from '../protocol/geometry.ts';
import { CalibrationError } from './errors.ts';
import { smallestRightSingularVector } from './geometry/null-vector.ts';

/**
 * A plane-to-plane projective map as a row-major 3×3 matrix: (x, y) ↦ ((h0x + h1y + h2)/w, (h3x + h4y + h5)/w)
 * with w = h6x + h7y + h8. Scaled so that h8 = 1 whenever h8 is not (close to) zero.
 */
export type Homography = readonly [number, number, number, number, number, number, number, number, number];

export const IDENTITY: Homography = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** A projected point with its homogeneous weight; `w` ≤ 0 means the source point lies beyond the horizon. */
export interface Projected {
  point: Point;
  w: number;
}

export function projectPoint(h: Homography, [x, y]: Point): Projected {
  const w = h[6] * x + h[7] * y + h[8];
  return { point: [(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w], w };
}

export function applyHomography(h: Homography, p: Point): Point {
  return projectPoint(h, p).point;
}

/** `a ∘ b`: first b, then a. */
export function composeHomography(a: Homography, b: Homography): Homography {
  const r: number[] = [];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) r.push(a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!);
  return scale(r);
}

export function invertHomography(h: Homography): Homography {
  const [a, b, c, d, e, f, g, k, l] = h;
  const adj = [e * l - f * k, c * k - b * l, b * f - c * e, f * g - d * l, a * l - c * g, c * d - a * f];
  adj.push(d * k - e * g, b * g - a * k, a * e - b * d);
  const det = a * adj[0]! + b * adj[3]! + c * adj[6]!;
  // Hadamard: |det| ≤ the product of the row lengths. Rounding alone leaves ~1e-16 of it; a real map
  // (even one shrinking a big square to a pixel far from the origin) stays well above 1e-14.
  const rows = Math.hypot(a, b, c) * Math.hypot(d, e, f) * Math.hypot(g, k, l);
  if (!(Math.abs(det) > 1e-14 * rows))
    throw new CalibrationError('VOLNO_HOMOGRAPHY_DEGENERATE', 'the homography is singular and cannot be inverted');
  return scale(adj);
}

/** Root-mean-square and largest distance between `h(src[i])` and `dst[i]`, in destination units. */
export function reprojectionError(
  h: Homography,
  src: readonly Point[],
  dst: readonly Point[],
): { rms: number; max: number } {
  let sum = 0;
  let max = 0;
  src.forEach((p, i) => {
    const q = applyHomography(h, p);
    const d = Math.hypot(q[0] - dst[i]![0], q[1] - dst[i]![1]);
    sum += d * d;
    max = Math.max(max, d);
  });
  return { rms: Math.sqrt(sum / Math.max(1, src.length)), max };
}

/**
 * The homography taking `src[i]` to `dst[i]`: exact for 4 pairs, least squares (algebraic error) for more.
 * Direct linear transform with Hartley's normalisation (Hartley 1997, "In defense of the eight-point
 * algorithm"; Hartley & Zisserman, Multiple View Geometry, alg. 4.2): without it the 9 unknowns mix
 * magnitudes of 1 and 10⁶ for pixel coordinates and the solution loses most of its digits.
 * Throws `VOLNO_HOMOGRAPHY_DEGENERATE` when three of four points are collinear, points repeat, or
 * the pairs do not determine a unique map.
 */
export function homographyFromPoints(src: readonly Point[], dst: readonly Point[]): Homography {
  if (src.length !== dst.length || src.length < 4)
    throw new CalibrationError(
      'VOLNO_HOMOGRAPHY_DEGENERATE',
      `a homography needs at least 4 point pairs; got ${src.length} and ${dst.length}`,
    );
  if (![...src, ...dst].every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)))
    throw new CalibrationError('VOLNO_HOMOGRAPHY_DEGENERATE', 'a reference point is not a finite number');
  const ns = normaliser(src);
  const nd = normaliser(dst);
  if (src.length === 4) {
    const bad =
      collinearTriple(src.map((p) => applyHomography(ns, p))) ??
      collinearTriple(dst.map((p) => applyHomography(nd, p)));
    if (bad)
      throw new CalibrationError(
        'VOLNO_HOMOGRAPHY_DEGENERATE',
        `reference points ${bad.map((i) => i + 1).join(', ')} lie (almost) on one line; spread the four points out`,
      );
  }
  const rows: number[][] = [];
  src.forEach((p, i) => {
    const [x, y] = applyHomography(ns, p);
    const [u, v] = applyHomography(nd, dst[i]!);
    rows.push([-x, -y, -1, 0, 0, 0, u * x, u * y, u], [0, 0, 0, -x, -y, -1, v * x, v * y, v]);
  });
  const { vector, singularValues } = smallestRightSingularVector(rows);
  // Rank 8 is needed for a unique solution: a second (near-)zero singular value means a family of maps fits.
  if (!(singularValues[1]! > 1e-9 * singularValues[8]!))
    throw new CalibrationError('VOLNO_HOMOGRAPHY_DEGENERATE', 'the point pairs do not determine a unique homography');
  const hn = vector as unknown as Homography;
  return composeHomography(invertHomography(nd), composeHomography(hn, ns));
}

/** Similarity moving the centroid to the origin with mean distance √2 from it. */
function normaliser(points: readonly Point[]): Homography {
  const cx = points.reduce((s, p) => s + p[0], 0) / points.length;
  const cy = points.reduce((s, p) => s + p[1], 0) / points.length;
  const mean = points.reduce((s, p) => s + Math.hypot(p[0] - cx, p[1] - cy), 0) / points.length;
  if (!(mean > 1e-12)) throw new CalibrationError('VOLNO_HOMOGRAPHY_DEGENERATE', 'the reference points all coincide');
  const s = Math.SQRT2 / mean;
  return [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1];
}

/** Indices of the first three (normalised) points spanning a near-zero triangle, or null. */
function collinearTriple(p: readonly Point[]): [number, number, number] | null {
  for (let i = 0; i < p.length; i++)
    for (let j = i + 1; j < p.length; j++)
      for (let k = j + 1; k < p.length; k++) {
        const [a, b, c] = [p[i]!, p[j]!, p[k]!];
        const twice = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
        // Normalised points sit about √2 from their centroid: a well spread quad gives twice-areas of
        // 1–4, and below 1e-3 the fitted map swings wildly with a pixel of dragging.
        if (Math.abs(twice) < 1e-3) return [i, j, k];
      }
  return null;
}

function scale(m: readonly number[]): Homography {
  const last = m[8]!;
  const norm = Math.hypot(...m);
  const k = Math.abs(last) > 1e-12 * norm ? 1 / last : 1 / norm;
  return m.map((x) => x * k) as unknown as Homography;
}
