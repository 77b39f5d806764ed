import type { Point } from '../../protocol/geometry.ts';

/** Four corners in drawing order. */
export type Quad = readonly [Point, Point, Point, Point];

/** The unit square in the order a quad's corners are mapped from: (0,0), (1,0), (1,1), (0,1). */
export const UNIT_SQUARE: Quad = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];

export function isQuad(polygon: readonly Point[]): polygon is Quad {
  return polygon.length === 4;
}

/** The same four corners in all 8 orders that describe the same outline: 4 starting corners × 2 directions. */
export function dihedralOrders(q: Quad): Quad[] {
  const out: Quad[] = [];
  for (let r = 0; r < 4; r++) {
    const rot = [q[r % 4]!, q[(r + 1) % 4]!, q[(r + 2) % 4]!, q[(r + 3) % 4]!] as const;
    out.push(rot, [rot[0], rot[3], rot[2], rot[1]]);
  }
  return out;
}

/**
 * Mean distance between corresponding corners, under the corner correspondence that makes it
 * smallest: two outlines of one slot drawn from different starting corners are still the same slot.
 */
export function meanCornerDistance(a: Quad, b: Quad): number {
  let best = Infinity;
  for (const o of dihedralOrders(a)) {
    const d = o.reduce((s, p, i) => s + Math.hypot(p[0] - b[i]![0], p[1] - b[i]![1]), 0) / 4;
    best = Math.min(best, d);
  }
  return best;
}
