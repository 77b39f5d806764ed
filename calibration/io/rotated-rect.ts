import type { Point } from '../../protocol/geometry.ts';

/** OpenCV's RotatedRect as PKLot writes it: centre, size and angle in degrees. */
export interface RotatedRect {
  center: Point;
  width: number;
  height: number;
  angle: number;
}

/**
 * The four corners, exactly as OpenCV's `RotatedRect::points` computes them (modules/core/src/types.cpp),
 * so a PKLot space that has only a rotatedRect becomes the outline OpenCV users would draw.
 */
export function rotatedRectCorners(r: RotatedRect): [Point, Point, Point, Point] {
  const rad = (r.angle * Math.PI) / 180;
  const b = Math.cos(rad) * 0.5;
  const a = Math.sin(rad) * 0.5;
  const [cx, cy] = r.center;
  const p0: Point = [cx - a * r.height - b * r.width, cy + b * r.height - a * r.width];
  const p1: Point = [cx + a * r.height - b * r.width, cy - b * r.height - a * r.width];
  return [p0, p1, [2 * cx - p0[0], 2 * cy - p0[1]], [2 * cx - p1[0], 2 * cy - p1[1]]];
}

/**
 * The smallest-area rectangle around the points (rotating calipers over the convex hull: one side of
 * the optimum lies on a hull edge, Freeman & Shapira 1975), written in OpenCV's pre-4.5 convention
 * that the PKLot files use: angle in [−90°, 0°), `width` the side along that angle.
 */
export function minAreaRect(points: readonly Point[]): RotatedRect {
  const hull = convexHull(points);
  let best: RotatedRect | null = null;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len === 0) continue;
    const ux = (b[0] - a[0]) / len;
    const uy = (b[1] - a[1]) / len;
    let [minU, maxU, minV, maxV] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const [x, y] of hull) {
      const u = x * ux + y * uy;
      const v = -x * uy + y * ux;
      [minU, maxU, minV, maxV] = [Math.min(minU, u), Math.max(maxU, u), Math.min(minV, v), Math.max(maxV, v)];
    }
    const size = (maxU - minU) * (maxV - minV);
    if (size >= bestArea) continue;
    bestArea = size;
    const cu = (minU + maxU) / 2;
    const cv = (minV + maxV) / 2;
    const center: Point = [cu * ux - cv * uy, cu * uy + cv * ux];
    // Side along u has direction atan2(uy, ux); bring it into [−90°, 0°), swapping sides when needed.
    let angle = (Math.atan2(uy, ux) * 180) / Math.PI;
    let [w, h] = [maxU - minU, maxV - minV];
    while (angle >= 0) {
      angle -= 90;
      [w, h] = [h, w];
    }
    while (angle < -90) {
      angle += 90;
      [w, h] = [h, w];
    }
    best = { center, width: w, height: h, angle };
  }
  if (!best) {
    const [x, y] = points[0] ?? [0, 0];
    return { center: [x, y], width: 0, height: 0, angle: -90 };
  }
  return best;
}

function convexHull(points: readonly Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: Point[]) => {
    const out: Point[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    return out.slice(0, -1);
  };
  return pts.length < 3 ? pts : [...half(pts), ...half([...pts].reverse())];
}
