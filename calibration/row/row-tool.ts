import type { Point } from '../../protocol/geometry.ts';
import { CalibrationError } from '../errors.ts';
import { dihedralOrders, UNIT_SQUARE, type Quad } from '../geometry/quad.ts';
import {
  homographyFromPoints,
  invertHomography,
  projectPoint,
  reprojectionError,
  type Homography,
} from '../homography.ts';
import { minimise } from './nelder-mead.ts';

/**
 * The model. Slots of one row are equal rectangles on the (flat) ground, each the previous one moved
 * by the same step. Take ground coordinates in which the first slot is the unit square
 * [0,1]×[0,1]; slot k is then the square moved by k·t, and the camera sees it through one
 * homography H: slot k = H(unit square + k·t), corner j of every slot coming from corner j of the
 * square, i.e. in the first slot's drawing order.
 *
 * - `contiguous` spacing: t is one side of the square, (±1, 0) or (0, ±1), so neighbours share an
 *   edge exactly: no gap, no overlap. That is how painted bays usually are.
 * - `fitted` spacing: t is any vector, fitted too, for rows with gaps between bays or bays drawn
 *   staggered (angled parking, or labels that do not line up).
 */
export type RowSpacing = 'contiguous' | 'fitted';

export interface RowResult {
  /** The slots, first to last, each in the first slot's corner order. */
  slots: Quad[];
  /** Ground (unit-square) coordinates → input coordinates. */
  homography: Homography;
  /** t: ground step from one slot to the next. */
  step: Point;
  /** RMS distance between the drawn first/last slots' corners and the fitted ones, in input units. */
  residual: number;
}

export const MAX_ROW_SLOTS = 1000;

/**
 * A row of `count` slots from the first and the last slot of the row as drawn (in pixels: the fit
 * minimises distances, and normalised x and y units differ in size). The last slot may be drawn from
 * any corner in either direction. With 2 drawn quads there are 16 point pairs for 8 (contiguous) or
 * 10 (fitted) unknowns, so the first and last slot move slightly onto the best common perspective;
 * `residual` says by how much. `count = 1` returns the first slot unchanged.
 */
export function rowFromEnds(first: Quad, last: Quad, count: number, options: { spacing?: RowSpacing } = {}): RowResult {
  checkCount(count);
  if (count === 1) return { slots: [copy(first)], homography: squareTo(first), step: [0, 0], residual: 0 };
  const n = count - 1;
  let best: { t: Point; lastOrder: Quad; h: Homography; cost: number } | null = null;
  for (const t of SIDES)
    for (const lastOrder of dihedralOrders(last)) {
      const fit = fitStrip(first, lastOrder, n, t);
      if (fit && (!best || fit.cost < best.cost)) best = { t, lastOrder, ...fit };
    }
  if (!best) throw new CalibrationError('VOLNO_ROW_INVALID', 'the first and last slot do not define a row');
  if (options.spacing === 'fitted') {
    const fixedLast = best.lastOrder;
    const cost = (x: readonly number[]) => fitStrip(first, fixedLast, n, [x[0]!, x[1]!])?.cost ?? Infinity;
    // Two starts: the best shared-edge step, and where the last slot's centre lands in the first slot's own ground frame.
    const starts = [best.t, guessStep(first, fixedLast, n)].filter((s): s is Point => s !== null);
    for (const s of starts) {
      const r = minimise(cost, s, { step: 0.1 });
      const fit = fitStrip(first, fixedLast, n, [r.x[0]!, r.x[1]!]);
      if (fit && fit.cost < best.cost) best = { t: [r.x[0]!, r.x[1]!], lastOrder: fixedLast, ...fit };
    }
  }
  const src = [...UNIT_SQUARE, ...shifted(n, best.t)];
  const residual = reprojectionError(best.h, src, [...first, ...best.lastOrder]).rms;
  return { slots: generate(best.h, best.t, count), homography: best.h, step: best.t, residual };
}

/**
 * A row from one drawn slot and a point at the far end of the row (e.g. a click in the last slot).
 * The perspective is the first slot's own: its homography from the unit square is extended along
 * the side facing `towards`, so this is an extrapolation and drifts with any error in the drawn
 * slot; `rowFromEnds` is more accurate when the last slot can be drawn. Without `count` the row
 * ends at the slot containing `towards`.
 */
export function rowFromSlot(first: Quad, options: { towards: Point; count?: number }): RowResult {
  const h = squareTo(first);
  const inv = invertHomography(h);
  const q = projectPoint(inv, options.towards);
  // The inverse's overall sign is arbitrary, so compare with the weight the slot's own centre gets.
  const reference = projectPoint(inv, projectPoint(h, [0.5, 0.5]).point).w;
  if (!(q.w * reference > 0) || !Number.isFinite(q.point[0]) || !Number.isFinite(q.point[1]))
    throw new CalibrationError('VOLNO_ROW_INVALID', 'the end point lies beyond the horizon of the drawn slot');
  const dx = q.point[0] - 0.5;
  const dy = q.point[1] - 0.5;
  const t: Point = Math.abs(dx) >= Math.abs(dy) ? [Math.sign(dx) || 1, 0] : [0, Math.sign(dy) || 1];
  const count = options.count ?? Math.round(Math.abs(dx * t[0] + dy * t[1])) + 1;
  checkCount(count);
  return { slots: generate(h, t, count, first), homography: h, step: t, residual: 0 };
}

const SIDES: readonly Point[] = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
];

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_ROW_SLOTS)
    throw new CalibrationError('VOLNO_ROW_INVALID', `a row has 1–${MAX_ROW_SLOTS} slots; got ${count}`);
}

function squareTo(q: Quad): Homography {
  return homographyFromPoints(UNIT_SQUARE, q);
}

const shifted = (k: number, t: Point): Point[] => UNIT_SQUARE.map(([x, y]) => [x + k * t[0], y + k * t[1]]);

const wAt = (h: Homography, p: Point): number => projectPoint(h, p).w;

const copy = (q: Quad): Quad => q.map(([x, y]) => [x, y]) as unknown as Quad;

/** Least-squares strip homography for a given step; null when degenerate or folding over the horizon. */
function fitStrip(first: Quad, last: Quad, n: number, t: Point): { h: Homography; cost: number } | null {
  const src = [...UNIT_SQUARE, ...shifted(n, t)];
  const dst = [...first, ...last];
  let h: Homography;
  try {
    h = homographyFromPoints(src, dst);
  } catch {
    return null;
  }
  const sign = Math.sign(wAt(h, src[0]!));
  if (!src.every((p) => Math.sign(wAt(h, p)) === sign)) return null;
  const { rms } = reprojectionError(h, src, dst);
  return { h, cost: rms * rms };
}

/** Where the last slot's centre sits in the first slot's ground frame, divided into n steps. */
function guessStep(first: Quad, last: Quad, n: number): Point | null {
  try {
    const inv = invertHomography(squareTo(first));
    const c: Point = [(last[0][0] + last[2][0]) / 2, (last[0][1] + last[2][1]) / 2];
    const g = projectPoint(inv, c).point;
    return Number.isFinite(g[0]) && Number.isFinite(g[1]) ? [(g[0] - 0.5) / n, (g[1] - 0.5) / n] : null;
  } catch {
    return null;
  }
}

/**
 * Slot k = H(unit square + k·t). Each ground point is projected once and shared by the slots that
 * meet there, so neighbours have bit-identical common corners. `anchor` pins the first slot to the
 * drawn corners (used when H maps the square onto them exactly, up to rounding). Refuses a row that
 * would pass the horizon (points behind the camera).
 */
function generate(h: Homography, t: Point, count: number, anchor?: Quad): Quad[] {
  const sign = Math.sign(wAt(h, [0.5, 0.5]));
  const seen = new Map<string, Point>();
  anchor?.forEach((p, j) => seen.set(String(UNIT_SQUARE[j]), p));
  const slots: Quad[] = [];
  for (let k = 0; k < count; k++) {
    const corners = shifted(k, t).map((g) => {
      const key = String(g);
      const known = seen.get(key);
      if (known) return known;
      const c = projectPoint(h, g);
      if (!(Math.sign(c.w) === sign && Number.isFinite(c.point[0]) && Number.isFinite(c.point[1])))
        throw new CalibrationError(
          'VOLNO_ROW_INVALID',
          `slot ${k + 1} of ${count} would lie beyond the horizon; draw the last slot, or use fewer slots`,
        );
      seen.set(key, c.point);
      return c.point;
    });
    slots.push(corners as unknown as Quad);
  }
  return slots;
}
