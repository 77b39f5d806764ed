import { mapPoint, squareToQuad } from './homography.ts';
import { slotQuad, type Quad } from './quad.ts';
import type { PixelPolygon } from './types.ts';
import type { PixelMap, Region, TensorTarget } from './warp.ts';

/** Longest a side may be stretched, in slot lengths: beyond it a strong perspective nears its horizon. */
const MAX_STRETCH = 4;

/**
 * The square crop around a slot that keeps its aspect ratio: the shorter side of the slot (in the
 * slot's own perspective frame) is widened to the longer one, and both grow by `context`. A long,
 * narrow slot squashed into a square patch stretches a car into a shape no pretrained backbone has
 * seen (issue 12: "keep the aspect ratio instead of squashing long slots"); here the car keeps its
 * proportions and its neighbours' edges fill the rest.
 *
 * The extension follows the slot's homography, so the context is in the slot's ground plane. Where
 * that would reach the horizon (a corner with w ≤ 0) it falls back to scaling about the centroid.
 */
export function contextQuad(q: Quad, context: number): Quad {
  const d = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
  const w = (d(q[0], q[1]) + d(q[3], q[2])) / 2;
  const h = (d(q[0], q[3]) + d(q[1], q[2])) / 2;
  const side = Math.max(w, h) * (1 + context);
  const ex = Math.min(MAX_STRETCH, side / Math.max(w, 1e-9));
  const ey = Math.min(MAX_STRETCH, side / Math.max(h, 1e-9));
  const m = squareToQuad(q);
  const u0 = 0.5 - ex / 2;
  const u1 = 0.5 + ex / 2;
  const v0 = 0.5 - ey / 2;
  const v1 = 0.5 + ey / 2;
  const corners: [number, number][] = [
    [u0, v0],
    [u1, v0],
    [u1, v1],
    [u0, v1],
  ];
  if (corners.every(([u, v]) => m.g * u + m.h * v + 1 > 0.05)) {
    const out = corners.map(([u, v]) => mapPoint(m, u, v));
    if (out.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))) return out as unknown as Quad;
  }
  const cx = (q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4;
  const cy = (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4;
  const k = Math.max(ex, ey);
  return q.map(([x, y]) => [cx + (x - cx) * k, cy + (y - cy) * k]) as unknown as Quad;
}

/**
 * How a slot polygon becomes the classifier's input:
 * - `quad`: the slot quad grown by `context`, squashed to the square input (SlotNet);
 * - `square`: the aspect-keeping square around the slot ({@link contextQuad});
 * - `letterbox`: the slot quad grown by `context`, with its aspect ratio kept, centred in the input and
 *   padded with grey 114 (YOLOX's own padding), so neither squashing nor the neighbours' cars enter.
 */
export type CropMode = 'quad' | 'square' | 'letterbox';

export interface CropPlan {
  readonly quad: Quad;
  /** Where in the input the quad lands; the whole input when absent. */
  readonly region?: Region;
}

/** Grey level the letterbox pads with (before the model's pixel map). */
export const PAD_GREY = 114;

export function cropPlan(
  polygon: PixelPolygon,
  mode: CropMode,
  context: number,
  width: number,
  height: number,
): CropPlan {
  if (mode === 'square') return { quad: contextQuad(slotQuad(polygon, 0), context) };
  const quad = slotQuad(polygon, context);
  if (mode === 'quad') return { quad };
  const d = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
  const w = (d(quad[0], quad[1]) + d(quad[3], quad[2])) / 2;
  const h = (d(quad[0], quad[3]) + d(quad[1], quad[2])) / 2;
  const k = Math.min(width / Math.max(w, 1e-9), height / Math.max(h, 1e-9));
  const rw = Math.max(4, Math.min(width, Math.round(w * k)));
  const rh = Math.max(4, Math.min(height, Math.round(h * k)));
  return { quad, region: { x: (width - rw) >> 1, y: (height - rh) >> 1, width: rw, height: rh } };
}

/** Fills one NCHW image of `target` with the pad grey as `map` normalises it. */
export function fillPad(target: TensorTarget, map: PixelMap): void {
  const n = target.width * target.height;
  for (let c = 0; c < 3; c++) {
    const v = PAD_GREY * map.alpha[c]! + map.beta[c]!;
    target.data.fill(v, target.offset + c * n, target.offset + (c + 1) * n);
  }
}
