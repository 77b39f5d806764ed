import { area, type Point, type Polygon } from '../../protocol/geometry.ts';
import { CalibrationError } from '../errors.ts';
import type { CalibrationDocument } from '../document/schema.ts';
import { canonicalCalibration } from '../document/format.ts';
import { clipToConvex } from '../geometry/clip.ts';
import { homographyFromPoints, projectPoint, type Homography } from '../homography.ts';

const FRAME: Polygon = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];

export interface ReprojectOptions {
  /**
   * What to do with points that land outside the new frame. `clamp` (default) moves each onto the
   * nearest frame edge, keeping the point count; `keep` leaves them outside, so validation reports
   * them and blocks the save until staff fix them by hand.
   */
  outOfFrame?: 'clamp' | 'keep';
  /** Size of the new frame in pixels when it differs from the old one (coordinates stay 0–1). */
  frame?: { width: number; height: number };
}

/** A slot or mask the camera move pushed (partly) out of view. */
export interface ReprojectFlag {
  kind: 'slot' | 'mask';
  index: number;
  id: string;
  /** Points (0-based) that fell outside the new frame, before clamping. */
  outsidePoints: number[];
  /** Share of the projected outline still inside the new frame (1 = fully visible). */
  visibleFraction: number;
  /** True when a point fell behind the camera; the outline was left as it was and must be redrawn. */
  unprojectable: boolean;
}

export interface ReprojectResult {
  document: CalibrationDocument;
  /** Old normalised frame coordinates → new normalised frame coordinates. */
  homography: Homography;
  flags: ReprojectFlag[];
}

/**
 * Camera moved: staff mark four reference points (lamp post, kerb corners, …) in the reference frame
 * and drag them to where they are now; every slot and mask goes through the one homography those
 * four pairs define. Coordinates are 0–1 of each frame, so a new resolution is fine. Throws
 * VOLNO_HOMOGRAPHY_DEGENERATE when three of the points are (nearly) on one line.
 */
export function reprojectCalibration(
  doc: CalibrationDocument,
  before: readonly Point[],
  after: readonly Point[],
  options: ReprojectOptions = {},
): ReprojectResult {
  if (before.length !== 4 || after.length !== 4)
    throw new CalibrationError(
      'VOLNO_HOMOGRAPHY_DEGENERATE',
      `a camera move is described by exactly 4 reference points in each frame; got ${before.length} and ${after.length}`,
    );
  const h = homographyFromPoints(before, after);
  const clamp = (options.outOfFrame ?? 'clamp') === 'clamp';
  // The reference points are in front of the camera; any point whose weight has the other sign is behind it.
  const sign = Math.sign(projectPoint(h, before[0]!).w);
  const flags: ReprojectFlag[] = [];
  const move = (kind: 'slot' | 'mask', index: number, id: string, polygon: Polygon): [number, number][] => {
    const projected = polygon.map((p) => projectPoint(h, p));
    if (!projected.every((p) => Math.sign(p.w) === sign && p.point.every(Number.isFinite))) {
      flags.push({ kind, index, id, outsidePoints: [], visibleFraction: 0, unprojectable: true });
      return polygon.map(([x, y]) => [x, y]);
    }
    const points = projected.map((p) => p.point);
    const outside = points.flatMap(([x, y], i) => (x < 0 || x > 1 || y < 0 || y > 1 ? [i] : []));
    if (outside.length > 0) {
      const whole = area(points);
      const visible = whole > 0 ? area(clipToConvex(points, FRAME)) / whole : 0;
      flags.push({ kind, index, id, outsidePoints: outside, visibleFraction: visible, unprojectable: false });
    }
    return points.map(([x, y]) =>
      clamp ? [clampTo(x, 0, 1), clampTo(y, 0, 1)] : [clampTo(x, -4, 5), clampTo(y, -4, 5)],
    );
  };
  const document = canonicalCalibration({
    ...doc,
    frame_width: options.frame?.width ?? doc.frame_width,
    frame_height: options.frame?.height ?? doc.frame_height,
    slots: doc.slots.map((s, i) => ({ ...s, polygon: move('slot', i, s.id, s.polygon) })),
    privacy_masks: doc.privacy_masks.map((m, i) => ({ ...m, polygon: move('mask', i, m.id, m.polygon) })),
  });
  return { document, homography: h, flags };
}

/** `keep` still bounds points to what the document schema accepts (−4…5), far outside the frame anyway. */
const clampTo = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
