/**
 * A simulated car park for the demo and for load tests: no real footage may ship in the repository,
 * so the demo camera renders its own frames. Slots lie on a ground plane (metres) seen by an
 * oblique camera; cars arrive and leave with random dwell times from a seeded generator, so a run is
 * reproducible and the ground truth is known for every frame.
 */

export interface SimulatedSlot {
  readonly id: string;
  /** Corners on the ground plane in metres, clockwise from the far left. */
  readonly ground: readonly (readonly [number, number])[];
}

export interface LotLayout {
  readonly width: number;
  readonly height: number;
  readonly slots: readonly SimulatedSlot[];
  /** Ground (metres) → image (pixels) homography, row-major 3×3. */
  readonly groundToImage: readonly number[];
}

const SLOT_W = 2.6;
const SLOT_D = 5.0;
const AISLE = 6.5;

/**
 * Lays out `count` slots in rows of up to `perRow`, facing an aisle, and a camera looking at them from
 * above one end of the lot, so far slots are smaller than near ones (as on real mast cameras).
 */
export function layoutLot(count: number, perRow: number, width = 1280, height = 720): LotLayout {
  const slots: SimulatedSlot[] = [];
  for (let i = 0; i < count; i++) {
    const row = Math.floor(i / perRow);
    const col = i % perRow;
    const x0 = col * SLOT_W;
    // Rows come in back-to-back pairs separated by an aisle.
    const y0 = row * SLOT_D + Math.floor(row / 2) * AISLE;
    slots.push({
      id: `S${String(i + 1).padStart(3, '0')}`,
      ground: [
        [x0, y0],
        [x0 + SLOT_W, y0],
        [x0 + SLOT_W, y0 + SLOT_D],
        [x0, y0 + SLOT_D],
      ],
    });
  }
  const lotW = perRow * SLOT_W;
  const lotD = Math.max(...slots.map((s) => s.ground[2]![1]));
  return { width, height, slots, groundToImage: obliqueView(lotW, lotD, width, height) };
}

/**
 * Ground → image homography of a camera above the near edge looking across the lot: the perspective
 * divisor w = 1 + k·(depth − y) makes the far edge appear at `FAR_SCALE` of the near edge's size.
 */
function obliqueView(lotW: number, lotD: number, width: number, height: number): number[] {
  const FAR_SCALE = 0.55;
  const margin = 0.06;
  const k = (1 / FAR_SCALE - 1) / lotD;
  const sx = (width * (1 - 2 * margin)) / lotW;
  const top = height * 0.12;
  const bottom = height * (1 - margin);
  // y_img = (e·y + f) / w: y = 0 lands on `top`, y = lotD on `bottom`.
  const f = top * (1 + k * lotD);
  const e = (bottom - f) / lotD;
  return [sx, (-k * width) / 2, (width / 2) * (1 + k * lotD) - (sx * lotW) / 2, 0, e, f, 0, -k, 1 + k * lotD];
}

/** Applies a row-major 3×3 homography to a point. */
export function project(H: readonly number[], x: number, y: number): [number, number] {
  const w = H[6]! * x + H[7]! * y + H[8]!;
  return [(H[0]! * x + H[1]! * y + H[2]!) / w, (H[3]! * x + H[4]! * y + H[5]!) / w];
}

/** Inverse of a 3×3 matrix (adjugate / determinant). */
export function invert3(m: readonly number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

/** Slot outlines in image pixels, for the calibration the demo publishes. */
export function slotPolygons(layout: LotLayout): [number, number][][] {
  return layout.slots.map((s) => s.ground.map(([x, y]) => project(layout.groundToImage, x, y)));
}
