import type { PixelPolygon } from '../types.ts';
import type { Detection } from './types.ts';

type Pt = readonly [number, number];

/** Polygon area by the shoelace formula (absolute). */
export function polygonArea(p: readonly Pt[]): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = p[(i + 1) % p.length]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(s) / 2;
}

/**
 * Clips a polygon (convex or not) to an axis-aligned rectangle with Sutherland–Hodgman; the clip
 * region is convex, which is all the algorithm needs, and the area of the result is exact.
 */
export function clipToRect(poly: readonly Pt[], x1: number, y1: number, x2: number, y2: number): Pt[] {
  let out: Pt[] = [...poly];
  const edges: [(p: Pt) => boolean, (a: Pt, b: Pt) => Pt][] = [
    [(p) => p[0] >= x1, (a, b) => at(a, b, (x1 - a[0]) / (b[0] - a[0]))],
    [(p) => p[0] <= x2, (a, b) => at(a, b, (x2 - a[0]) / (b[0] - a[0]))],
    [(p) => p[1] >= y1, (a, b) => at(a, b, (y1 - a[1]) / (b[1] - a[1]))],
    [(p) => p[1] <= y2, (a, b) => at(a, b, (y2 - a[1]) / (b[1] - a[1]))],
  ];
  for (const [inside, cut] of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i]!;
      const prev = input[(i + input.length - 1) % input.length]!;
      if (inside(cur)) {
        if (!inside(prev)) out.push(cut(prev, cur));
        out.push(cur);
      } else if (inside(prev)) out.push(cut(prev, cur));
    }
    if (out.length === 0) break;
  }
  return out;
}

const at = (a: Pt, b: Pt, t: number): Pt => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];

export interface FootprintParams {
  /** Lower fraction of the box taken as the ground footprint. */
  band: number;
  /** Covered share of the slot at which P reaches the detection score. */
  fullCoverage: number;
}

/**
 * P(occupied) per slot from vehicle boxes. A box's lower `band` is taken as the vehicle's ground
 * footprint: the upper part of the box is roof and bonnet seen in perspective and hangs over the
 * slots behind it, which is why a box centre "in zone" marks the wrong slot on high cameras (the
 * Frigate complaint this replaces). For each slot, P = max over vehicles of
 * score · min(1, covered share of the slot / fullCoverage).
 */
export function slotProbabilities(
  detections: readonly Detection[],
  polygons: ReadonlyArray<PixelPolygon>,
  params: FootprintParams,
): Float32Array {
  const probs = new Float32Array(polygons.length);
  polygons.forEach((polygon, i) => {
    const poly = polygon as readonly Pt[];
    const area = polygonArea(poly);
    if (area <= 0) return;
    let xmin = Infinity;
    let ymin = Infinity;
    let xmax = -Infinity;
    let ymax = -Infinity;
    for (const [x, y] of poly) {
      xmin = Math.min(xmin, x);
      ymin = Math.min(ymin, y);
      xmax = Math.max(xmax, x);
      ymax = Math.max(ymax, y);
    }
    let best = 0;
    for (const d of detections) {
      const top = d.y2 - params.band * (d.y2 - d.y1);
      if (d.x2 <= xmin || d.x1 >= xmax || d.y2 <= ymin || top >= ymax) continue;
      const covered = polygonArea(clipToRect(poly, d.x1, top, d.x2, d.y2)) / area;
      best = Math.max(best, d.score * Math.min(1, covered / params.fullCoverage));
    }
    probs[i] = best;
  });
  return probs;
}
