import type { PixelPolygon } from './types.ts';
import { VisionError } from './errors.ts';

type Pt = readonly [number, number];

/**
 * Four corners in image pixels, clockwise on screen (y down), starting with the corner whose
 * outgoing edge points most nearly to the right: corner 0 → patch top-left, 1 → top-right,
 * 2 → bottom-right, 3 → bottom-left. The patch therefore keeps the slot as upright as it is in the
 * image (at most 45° of rotation), which is also how the CNRPark training patches were cut.
 */
export type Quad = readonly [Pt, Pt, Pt, Pt];

const cross = (o: Pt, a: Pt, b: Pt): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Twice the signed area; positive when clockwise on screen (the protocol's convention). */
function signedArea2(p: readonly Pt[]): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = p[(i + 1) % p.length]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s;
}

/** Andrew's monotone chain; drops collinear points; returns the hull clockwise on screen. */
export function convexHull(points: readonly Pt[]): Pt[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const lower: Pt[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Pt[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  const hull = lower.slice(0, -1).concat(upper.slice(0, -1));
  return signedArea2(hull) < 0 ? hull.reverse() : hull;
}

/** Intersection of line (a→b) and line (c→d), as `a + t(b−a)`; null when parallel. */
function intersect(a: Pt, b: Pt, c: Pt, d: Pt): { p: Pt; t: number; s: number } | null {
  const rx = b[0] - a[0];
  const ry = b[1] - a[1];
  const sx = d[0] - c[0];
  const sy = d[1] - c[1];
  const den = rx * sy - ry * sx;
  if (Math.abs(den) < 1e-12) return null;
  const t = ((c[0] - a[0]) * sy - (c[1] - a[1]) * sx) / den;
  const s = ((c[0] - a[0]) * ry - (c[1] - a[1]) * rx) / den;
  return { p: [a[0] + t * rx, a[1] + t * ry], t, s };
}

/**
 * Reduces a convex hull (clockwise, ≥ 5 vertices) to an enclosing quadrilateral: repeatedly removes
 * the edge whose two neighbouring edges, extended, meet while adding the least area. For n ≥ 5 a
 * removable edge always exists (the exterior angles sum to 360°, so some adjacent pair sums < 180°).
 */
function reduceToQuad(hull: Pt[]): Pt[] {
  const p = [...hull];
  while (p.length > 4) {
    const n = p.length;
    let best = -1;
    let bestArea = Infinity;
    let bestPoint: Pt | null = null;
    for (let i = 0; i < n; i++) {
      const prev = p[(i - 1 + n) % n]!;
      const a = p[i]!;
      const b = p[(i + 1) % n]!;
      const next = p[(i + 2) % n]!;
      // Extend prev→a beyond a, and next→b beyond b.
      const hit = intersect(prev, a, next, b);
      if (!hit || hit.t <= 1 || hit.s <= 1) continue;
      const added = Math.abs(cross(a, hit.p, b)) / 2;
      if (added < bestArea) {
        bestArea = added;
        best = i;
        bestPoint = hit.p;
      }
    }
    if (best < 0 || !bestPoint) return minAreaRect(p);
    p.splice(best, 1, bestPoint);
    p.splice((best + 1) % p.length, 1);
  }
  return p;
}

/** Minimum-area enclosing rectangle of a convex hull (rotating calipers over its edges). */
export function minAreaRect(hull: readonly Pt[]): Pt[] {
  let best: Pt[] = [];
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len < 1e-9) continue;
    const ux = (b[0] - a[0]) / len;
    const uy = (b[1] - a[1]) / len;
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const q of hull) {
      const u = q[0] * ux + q[1] * uy;
      const v = -q[0] * uy + q[1] * ux;
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      minV = Math.min(minV, v);
      maxV = Math.max(maxV, v);
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const at = (u: number, v: number): Pt => [u * ux - v * uy, u * uy + v * ux];
      best = [at(minU, minV), at(maxU, minV), at(maxU, maxV), at(minU, maxV)];
    }
  }
  return signedArea2(best) < 0 ? best.reverse() : best;
}

/** Rotates a clockwise quad so that corner 0's outgoing edge points most nearly to +x. */
function canonical(p: readonly Pt[]): Quad {
  let start = 0;
  let bestCos = -Infinity;
  for (let i = 0; i < 4; i++) {
    const a = p[i]!;
    const b = p[(i + 1) % 4]!;
    const cos = (b[0] - a[0]) / (Math.hypot(b[0] - a[0], b[1] - a[1]) || 1);
    if (cos > bestCos + 1e-9) {
      bestCos = cos;
      start = i;
    }
  }
  return [p[start]!, p[(start + 1) % 4]!, p[(start + 2) % 4]!, p[(start + 3) % 4]!];
}

/**
 * The quadrilateral a slot polygon is warped from.
 *
 * Rule for polygons that are not convex quadrilaterals: take the convex hull, then the smallest
 * enclosing quadrilateral found by greedy edge removal (triangles and degenerate hulls: the
 * minimum-area enclosing rectangle). Why enclosing rather than "the 4 extreme points": extreme
 * points cut corners off the slot, so part of a car can fall outside the patch; the enclosing quad
 * keeps every pixel of the slot, and for the usual case, a quadrilateral outline with extra points
 * along its sides (Roboflow's 5–6 point outlines), the removed edges add almost no area, so the
 * result is the quadrilateral a person would draw. Concave 4-point outlines are hulled the same way
 * because a homography of a concave quad folds the patch over itself.
 *
 * `expand` grows the quad about its centroid (0.1 = 10 % wider and taller) to give the model context.
 */
export function slotQuad(polygon: PixelPolygon, expand = 0): Quad {
  if (polygon.length < 3) {
    throw new VisionError('VOLNO_POLYGON_INVALID', `a slot polygon needs at least 3 points, got ${polygon.length}`);
  }
  for (const [x, y] of polygon) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new VisionError('VOLNO_POLYGON_INVALID', `a slot polygon has a non-finite point [${x}, ${y}]`);
    }
  }
  const hull = convexHull(polygon as readonly Pt[]);
  if (hull.length < 3 || Math.abs(signedArea2(hull)) < 1e-6) {
    throw new VisionError('VOLNO_POLYGON_INVALID', 'a slot polygon has no area (all points on one line)');
  }
  const four = hull.length === 4 ? hull : hull.length === 3 ? minAreaRect(hull) : reduceToQuad(hull);
  let quad = four;
  if (expand !== 0) {
    const cx = (four[0]![0] + four[1]![0] + four[2]![0] + four[3]![0]) / 4;
    const cy = (four[0]![1] + four[1]![1] + four[2]![1] + four[3]![1]) / 4;
    const k = 1 + expand;
    quad = four.map(([x, y]): Pt => [cx + (x - cx) * k, cy + (y - cy) * k]);
  }
  return canonical(quad);
}

/**
 * Checks a slot polygon the way `classify()` will use it; returns why it is unusable, or null.
 * Lets the agent reject a bad calibration up front instead of failing on every frame.
 */
export function slotPolygonProblem(polygon: PixelPolygon): string | null {
  try {
    slotQuad(polygon);
    return null;
  } catch (err) {
    if (err instanceof VisionError) return err.message;
    throw err;
  }
}
