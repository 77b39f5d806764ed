import { area, signedArea, type Point, type Polygon } from '../../protocol/geometry.ts';
import { triangulate } from './triangulate.ts';

const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** True when every turn has the same sign (collinear points allowed). Assumes a simple outline. */
export function isConvex(polygon: Polygon): boolean {
  let sign = 0;
  for (let i = 0; i < polygon.length; i++) {
    const t = cross(polygon[i]!, polygon[(i + 1) % polygon.length]!, polygon[(i + 2) % polygon.length]!);
    if (t === 0) continue;
    if (sign === 0) sign = Math.sign(t);
    else if (Math.sign(t) !== sign) return false;
  }
  return true;
}

/**
 * Sutherland–Hodgman (1974): the part of `subject` inside the convex polygon `clip`. The subject may
 * be concave; then the result can contain zero-width "bridges" along the clip's edges, which carry no
 * area, so the shoelace area of the result is still exact.
 */
export function clipToConvex(subject: Polygon, clip: Polygon): Point[] {
  const sign = Math.sign(signedArea(clip)) || 1;
  let output: Point[] = [...subject];
  for (let i = 0; i < clip.length && output.length > 0; i++) {
    const a = clip[i]!;
    const b = clip[(i + 1) % clip.length]!;
    const input = output;
    output = [];
    for (let j = 0; j < input.length; j++) {
      const p = input[j]!;
      const q = input[(j + 1) % input.length]!;
      const dp = sign * cross(a, b, p);
      const dq = sign * cross(a, b, q);
      if (dp >= 0) output.push(p);
      if (dp >= 0 !== dq >= 0) {
        const t = dp / (dp - dq);
        output.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
      }
    }
  }
  return output;
}

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function boundingBox(polygon: Polygon): Box {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const [x, y] of polygon) {
    box.minX = Math.min(box.minX, x);
    box.minY = Math.min(box.minY, y);
    box.maxX = Math.max(box.maxX, x);
    box.maxY = Math.max(box.maxY, y);
  }
  return box;
}

export const boxesOverlap = (a: Box, b: Box): boolean =>
  a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY && b.minY < a.maxY;

/**
 * Area of the intersection of two simple polygons, convex or not. The rule: clip with a convex
 * polygon only. If either outline is convex (the usual slot quad) it is the clip; otherwise the
 * second outline is cut into triangles by ear clipping and the first is clipped by each triangle,
 * the triangle areas being disjoint, the pieces add up. Returns null when a concave outline cannot
 * be triangulated (it crosses itself); validation reports that case on its own.
 */
export function intersectionArea(a: Polygon, b: Polygon): number | null {
  if (a.length < 3 || b.length < 3 || !boxesOverlap(boundingBox(a), boundingBox(b))) return 0;
  if (isConvex(b)) return area(clipToConvex(a, b));
  if (isConvex(a)) return area(clipToConvex(b, a));
  const triangles = triangulate(b);
  if (!triangles) return null;
  return triangles.reduce((sum, t) => sum + area(clipToConvex(a, t)), 0);
}
