import { signedArea, type Point, type Polygon } from '../../protocol/geometry.ts';

export type Triangle = readonly [Point, Point, Point];

const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/**
 * Ear-clipping triangulation of a simple polygon (Meisters 1975: every simple polygon with more than
 * three vertices has two non-overlapping ears). O(n³) in the worst case, which is nothing for the
 * ≤ 32-point outlines the protocol allows. Only meaningful for simple outlines: callers check with
 * `findSelfIntersection` first. Returns null when no ear can be found (possible only if they did not).
 */
export function triangulate(polygon: Polygon): Triangle[] | null {
  const sign = Math.sign(signedArea(polygon)) || 1;
  const ring = polygon.map((p) => p);
  const out: Triangle[] = [];
  while (ring.length > 3) {
    const n = ring.length;
    let clipped = false;
    for (let i = 0; i < n; i++) {
      const a = ring[(i - 1 + n) % n]!;
      const b = ring[i]!;
      const c = ring[(i + 1) % n]!;
      const turn = sign * cross(a, b, c);
      if (turn < 0) continue; // reflex corner
      // A zero turn (repeated or collinear point) is an ear of no area: drop it without a triangle.
      if (turn > 0) {
        const blocked = ring.some(
          (p, j) => j !== i && j !== (i - 1 + n) % n && j !== (i + 1) % n && inTriangle(p, a, b, c, sign),
        );
        if (blocked) continue;
        out.push([a, b, c]);
      }
      ring.splice(i, 1);
      clipped = true;
      break;
    }
    if (!clipped) return null;
  }
  if (ring.length === 3 && sign * cross(ring[0]!, ring[1]!, ring[2]!) > 0) out.push([ring[0]!, ring[1]!, ring[2]!]);
  return out;
}

/** Inside or on the boundary of triangle abc whose orientation is `sign`. */
function inTriangle(p: Point, a: Point, b: Point, c: Point, sign: number): boolean {
  return sign * cross(a, b, p) >= 0 && sign * cross(b, c, p) >= 0 && sign * cross(c, a, p) >= 0;
}
