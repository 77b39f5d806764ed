import type { Point } from '../../../protocol/geometry.ts';
import type { CalibrationDocument, FrameSize } from '../../../calibration/index.ts';
import { polygonsOf, type Layer, type PointRef, type ShapeRef } from './shapes.ts';

/**
 * Snapping and hit testing. Distances are in pixels of the frame (0–1 units are wider than tall on
 * a 16:9 frame, so "near" must be measured in pixels); the caller divides its on-screen radius by
 * the zoom, so a snap feels the same at any zoom.
 */
export interface SnapOptions {
  frame: FrameSize;
  /** Snap radius in frame pixels. */
  radiusPx: number;
  /** Grid spacing in frame pixels; 0 or absent: no grid. */
  gridPx?: number;
  /** Snap to corners and edges of other outlines (default true). */
  toShapes?: boolean;
  /** The outline being edited: its own corners and edges are not snap targets. */
  exclude?: ShapeRef;
  /** Also snap to these points (the corners of the outline being drawn). */
  extra?: readonly Point[];
}

export type SnapKind = 'vertex' | 'edge' | 'grid' | 'none';

export interface Snapped {
  point: [number, number];
  kind: SnapKind;
}

const px = (p: Point, f: FrameSize): [number, number] => [p[0] * f.width, p[1] * f.height];
const norm = (p: Point, f: FrameSize): [number, number] => [p[0] / f.width, p[1] / f.height];
const dist = (a: Point, b: Point): number => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** The nearest point of segment ab to p, and where along it (0–1). */
export function closestOnSegment(p: Point, a: Point, b: Point): { point: [number, number]; t: number } {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return { point: [a[0] + t * dx, a[1] + t * dy], t };
}

function outlines(doc: CalibrationDocument, exclude?: ShapeRef): Point[][] {
  const out: Point[][] = [];
  for (const layer of ['slot', 'mask'] as Layer[])
    polygonsOf(doc, layer).forEach((poly, index) => {
      if (exclude && exclude.layer === layer && exclude.index === index) return;
      out.push(poly.map((p) => [p[0], p[1]]));
    });
  return out;
}

/**
 * Where a point goes: the nearest corner within the radius, else the nearest edge, else the grid.
 * Corners win over edges so that neighbouring slots share corners exactly.
 */
export function snapPoint(doc: CalibrationDocument, p: Point, o: SnapOptions): Snapped {
  const f = o.frame;
  const at = px(p, f);
  if (o.toShapes !== false) {
    const shapes = outlines(doc, o.exclude).map((poly) => poly.map((q) => px(q, f)));
    const corners = [...shapes.flat(), ...(o.extra ?? []).map((q) => px(q, f))];
    let best: [number, number] | undefined;
    let bestD = o.radiusPx;
    for (const c of corners) {
      const d = dist(at, c);
      if (d <= bestD) [best, bestD] = [c, d];
    }
    if (best) return { point: norm(best, f), kind: 'vertex' };
    bestD = o.radiusPx;
    for (const poly of shapes)
      for (let i = 0; i < poly.length; i++) {
        const c = closestOnSegment(at, poly[i]!, poly[(i + 1) % poly.length]!).point;
        const d = dist(at, c);
        if (d <= bestD) [best, bestD] = [c, d];
      }
    if (best) return { point: norm(best, f), kind: 'edge' };
  }
  const g = o.gridPx ?? 0;
  if (g > 0) return { point: norm([Math.round(at[0] / g) * g, Math.round(at[1] / g) * g], f), kind: 'grid' };
  return { point: [p[0], p[1]], kind: 'none' };
}

/** The corner under the pointer (the selected outline's corners first), or undefined. */
export function hitPoint(
  doc: CalibrationDocument,
  p: Point,
  frame: FrameSize,
  radiusPx: number,
  prefer?: ShapeRef,
): PointRef | undefined {
  const at = px(p, frame);
  let best: PointRef | undefined;
  let bestD = Infinity;
  for (const layer of ['slot', 'mask'] as Layer[])
    polygonsOf(doc, layer).forEach((poly, index) => {
      const bonus = prefer && prefer.layer === layer && prefer.index === index ? 0.5 : 1;
      poly.forEach((q, point) => {
        const d = dist(at, px(q, frame)) * bonus;
        if (d <= radiusPx && d < bestD) [best, bestD] = [{ layer, index, point }, d];
      });
    });
  return best;
}

/** The edge under the pointer: after which corner to insert, and where. */
export function hitEdge(
  doc: CalibrationDocument,
  p: Point,
  frame: FrameSize,
  radiusPx: number,
  only?: ShapeRef,
): { ref: ShapeRef; edge: number; at: [number, number] } | undefined {
  const at = px(p, frame);
  let best: { ref: ShapeRef; edge: number; at: [number, number] } | undefined;
  let bestD = radiusPx;
  for (const layer of ['slot', 'mask'] as Layer[])
    polygonsOf(doc, layer).forEach((poly, index) => {
      if (only && (only.layer !== layer || only.index !== index)) return;
      const q = poly.map((v) => px(v, frame));
      for (let i = 0; i < q.length; i++) {
        const c = closestOnSegment(at, q[i]!, q[(i + 1) % q.length]!).point;
        const d = dist(at, c);
        if (d <= bestD) [best, bestD] = [{ ref: { layer, index }, edge: i, at: norm(c, frame) }, d];
      }
    });
  return best;
}

/** True when p lies inside the polygon (even-odd rule). */
export function inside(p: Point, polygon: readonly Point[]): boolean {
  let hit = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/** The topmost (last drawn) outline containing p, slots before masks in the given layer order. */
export function hitShape(doc: CalibrationDocument, p: Point, layers: readonly Layer[]): ShapeRef | undefined {
  for (const layer of layers) {
    const polys = polygonsOf(doc, layer);
    for (let index = polys.length - 1; index >= 0; index--) if (inside(p, polys[index]!)) return { layer, index };
  }
  return undefined;
}
