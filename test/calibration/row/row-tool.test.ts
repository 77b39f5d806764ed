import { describe, expect, it } from 'vitest';
import { area, type Point } from '../../../protocol/geometry.ts';
import { CalibrationError } from '../../../calibration/errors.ts';
import { intersectionArea } from '../../../calibration/geometry/clip.ts';
import { dihedralOrders, meanCornerDistance, UNIT_SQUARE, type Quad } from '../../../calibration/geometry/quad.ts';
import { applyHomography, composeHomography, type Homography } from '../../../calibration/homography.ts';
import { rowFromEnds, rowFromSlot } from '../../../calibration/row/row-tool.ts';

/** A camera looking down a row at an angle: strong perspective, like a lot seen from a mast. */
const CAMERA: Homography = [80, -25, 400, 6, 30, 300, 0.02, 0.05, 1];

/** The true row: slot k is CAMERA(unit square + k·t). */
function trueRow(count: number, t: Point): Quad[] {
  return Array.from(
    { length: count },
    (_, k) => UNIT_SQUARE.map(([x, y]) => applyHomography(CAMERA, [x + k * t[0], y + k * t[1]])) as unknown as Quad,
  );
}

const exactly = (a: Quad, b: Quad, tol = 1e-6) =>
  a.forEach((p, i) => {
    expect(p[0]).toBeCloseTo(b[i]![0], -Math.log10(tol));
    expect(p[1]).toBeCloseTo(b[i]![1], -Math.log10(tol));
  });

function errorOf(fn: () => unknown): CalibrationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CalibrationError) return e;
    throw e;
  }
  throw new Error('expected a CalibrationError');
}

describe('rowFromEnds', () => {
  it('with N = 1 gives back the drawn slot unchanged', () => {
    const first = trueRow(1, [0, 1])[0]!;
    expect(rowFromEnds(first, first, 1).slots).toEqual([first]);
    expect(rowFromSlot(first, { towards: first[2], count: 1 }).slots).toEqual([first]);
  });

  it('reproduces every slot of an exact perspective row in any direction, whatever corner the last slot starts at', () => {
    for (const t of [
      [0, 1],
      [0, -1],
      [1, 0],
      [-1, 0],
    ] as Point[]) {
      const truth = trueRow(8, t);
      for (const last of dihedralOrders(truth[7]!)) {
        const row = rowFromEnds(truth[0]!, last, 8);
        expect(row.slots).toHaveLength(8);
        row.slots.forEach((s, k) => exactly(s, truth[k]!));
        expect(row.residual).toBeLessThan(1e-6);
      }
    }
  });

  it('makes neighbours share their edge exactly, without gaps or overlaps', () => {
    const truth = trueRow(10, [0, 1]);
    // Hand-drawn ends are never exact: move every corner by up to ±2 px.
    const jitter = (q: Quad, s: number): Quad =>
      q.map(([x, y], i) => [x + s * Math.sin(i * 7), y + s * Math.cos(i * 5)]) as unknown as Quad;
    const row = rowFromEnds(jitter(truth[0]!, 2), jitter(truth[9]!, -2), 10);
    for (let k = 0; k + 1 < row.slots.length; k++) {
      const [a, b] = [row.slots[k]!, row.slots[k + 1]!];
      expect([a[3], a[2]]).toEqual([b[0], b[1]]); // same numbers, not just close
      expect(intersectionArea(a, b)).toBeLessThan(1e-9 * area(a));
    }
    const outline: Point[] = [row.slots[0]![0], row.slots[0]![1], row.slots[9]![2], row.slots[9]![3]];
    const total = row.slots.reduce((s, q) => s + area(q), 0);
    expect(total).toBeCloseTo(area(outline), 6);
    // And the jitter moved the row by about as much as it moved the ends.
    row.slots.forEach((s, k) => expect(meanCornerDistance(s, truth[k]!)).toBeLessThan(6));
  });

  it('fits the spacing of rows with gaps or staggered bays when asked, which shared edges cannot', () => {
    const truth = trueRow(6, [0.35, 1.25]);
    const fitted = rowFromEnds(truth[0]!, truth[5]!, 6, { spacing: 'fitted' });
    fitted.slots.forEach((s, k) => exactly(s, truth[k]!, 1e-4));
    expect(fitted.step[0]).toBeCloseTo(0.35, 6);
    expect(fitted.step[1]).toBeCloseTo(1.25, 6);
    const contiguous = rowFromEnds(truth[0]!, truth[5]!, 6);
    expect(contiguous.residual).toBeGreaterThan(5);
  });

  it('keeps the first slot corner order in every generated slot', () => {
    const truth = trueRow(5, [1, 0]);
    const first: Quad = [truth[0]![2], truth[0]![3], truth[0]![0], truth[0]![1]];
    const row = rowFromEnds(first, truth[4]!, 5);
    row.slots.forEach((s, k) => exactly(s, [truth[k]![2], truth[k]![3], truth[k]![0], truth[k]![1]]));
  });

  it('refuses impossible counts and rows that would pass the horizon', () => {
    const truth = trueRow(3, [0, 1]);
    for (const n of [0, 1.5, 1001, NaN])
      expect(errorOf(() => rowFromEnds(truth[0]!, truth[2]!, n)).code).toBe('VOLNO_ROW_INVALID');
    // The camera's horizon (w = 0) is at 0.02x + 0.05y + 1 = 0: going towards −y, slot 21 is behind it.
    const e = errorOf(() => rowFromSlot(truth[0]!, { towards: applyHomography(CAMERA, [0.5, -3]), count: 40 }));
    expect(e.code).toBe('VOLNO_ROW_INVALID');
    expect(e.message).toMatch(/beyond the horizon/);
  });
});

describe('rowFromSlot', () => {
  it('extends an exact slot towards a point, ending at the slot that contains it', () => {
    for (const t of [
      [0, 1],
      [0, -1],
      [1, 0],
      [-1, 0],
    ] as Point[]) {
      const truth = trueRow(6, t);
      const centreOfLast = applyHomography(CAMERA, [0.5 + 5 * t[0], 0.5 + 5 * t[1]]);
      const row = rowFromSlot(truth[0]!, { towards: centreOfLast });
      expect(row.slots).toHaveLength(6);
      row.slots.forEach((s, k) => exactly(s, truth[k]!));
      expect(row.step).toEqual(t);
    }
  });

  it('tells end points in front of the camera from those beyond the horizon, even with the sky in the picture', () => {
    // Moving the picture up 1000 px puts its top-left corner beyond the vanishing line, which flips
    // the sign the inverse homography gives every point.
    for (const shift of [0, -1000]) {
      const camera = composeHomography([1, 0, 0, 0, 1, shift, 0, 0, 1], CAMERA);
      const first = UNIT_SQUARE.map((p) => applyHomography(camera, p)) as unknown as Quad;
      for (const drawn of dihedralOrders(first)) {
        expect(rowFromSlot(drawn, { towards: applyHomography(camera, [0.5, 3.5]) }).slots).toHaveLength(4);
        const behind = applyHomography(camera, [0.5, -40]);
        expect(errorOf(() => rowFromSlot(drawn, { towards: behind })).message).toMatch(/beyond the horizon/);
      }
    }
  });

  it('honours an explicit count', () => {
    const truth = trueRow(3, [1, 0]);
    expect(rowFromSlot(truth[0]!, { towards: truth[1]![1], count: 3 }).slots).toHaveLength(3);
  });
});
