import { describe, expect, it } from 'vitest';
import type { Point } from '../../../protocol/geometry.ts';
import type { CalibrationError } from '../../../calibration/errors.ts';
import { applyHomography, type Homography } from '../../../calibration/homography.ts';
import { reprojectCalibration } from '../../../calibration/reproject/reproject.ts';
import { validateCalibration } from '../../../calibration/validation/validate.ts';
import { documentWith, slot, square } from '../helpers.ts';

/** A small pan, tilt and roll of the camera, in 0–1 frame coordinates. */
const MOVE: Homography = [0.98, -0.05, 0.03, 0.04, 0.97, 0.02, 0.02, -0.03, 1];
const REFS: Point[] = [
  [0.1, 0.2],
  [0.9, 0.15],
  [0.85, 0.9],
  [0.15, 0.8],
];
const moved = (ps: readonly Point[]) => ps.map((p) => applyHomography(MOVE, p));

const doc = documentWith(
  [
    slot('A01', square(0.2, 0.3)),
    slot('A02', [
      [0.5, 0.5],
      [0.6, 0.52],
      [0.58, 0.6],
      [0.5, 0.61],
      [0.45, 0.55],
    ]),
  ],
  { privacy_masks: [{ id: 'w', polygon: square(0.7, 0.1) }] },
);

describe('reprojectCalibration', () => {
  it('moves every slot and mask point through the homography of the four reference pairs', () => {
    const result = reprojectCalibration(doc, REFS, moved(REFS));
    expect(result.flags).toEqual([]);
    const all = (d: typeof doc) => [...d.slots.map((s) => s.polygon), ...d.privacy_masks.map((m) => m.polygon)];
    all(result.document).forEach((poly, i) =>
      poly.forEach((p, j) => {
        const want = applyHomography(MOVE, all(doc)[i]![j]!);
        expect(Math.hypot(p[0] - want[0], p[1] - want[1])).toBeLessThan(1e-9);
      }),
    );
    expect(result.document.slots.map((s) => s.id)).toEqual(['A01', 'A02']);
  });

  it('changes nothing when the reference points did not move, and records a new frame size', () => {
    const same = reprojectCalibration(doc, REFS, REFS, { frame: { width: 1920, height: 1080 } });
    same.document.slots.forEach((s, i) =>
      s.polygon.forEach((p, j) =>
        expect(p.map((v, k) => Math.abs(v - doc.slots[i]!.polygon[j]![k]!))).toEqual([
          expect.closeTo(0, 12),
          expect.closeTo(0, 12),
        ]),
      ),
    );
    expect([same.document.frame_width, same.document.frame_height]).toEqual([1920, 1080]);
  });

  it('clamps points pushed out of the frame and says how much of each outline is still in view', () => {
    const shiftRight: Point[] = REFS.map(([x, y]) => [x + 0.15, y]);
    const edge = documentWith([slot('A01', square(0.8, 0.3)), slot('A02', square(0.2, 0.3))]);
    const result = reprojectCalibration(edge, REFS, shiftRight);
    expect(result.flags).toEqual([
      {
        kind: 'slot',
        index: 0,
        id: 'A01',
        outsidePoints: [1, 2],
        visibleFraction: expect.closeTo(0.5, 9),
        unprojectable: false,
      },
    ]);
    expect(result.document.slots[0]!.polygon.map((p) => p[0])).toEqual([
      expect.closeTo(0.95, 9),
      1,
      1,
      expect.closeTo(0.95, 9),
    ]);
    expect(validateCalibration(result.document).canSave).toBe(true);
  });

  it('with outOfFrame: keep leaves the points outside so that validation blocks the save', () => {
    const edge = documentWith([slot('A01', square(0.8, 0.3))]);
    const result = reprojectCalibration(
      edge,
      REFS,
      REFS.map(([x, y]) => [x + 0.15, y]),
      { outOfFrame: 'keep' },
    );
    expect(result.document.slots[0]!.polygon[1]![0]).toBeCloseTo(1.05, 9);
    expect(validateCalibration(result.document).issues.map((i) => i.code)).toEqual(['out_of_frame']);
  });

  it('leaves an outline that would land behind the camera untouched and flags it', () => {
    // w = 2y − 0.5: the top quarter of the old frame ends up behind the camera.
    const tilt: Homography = [1, 0, 0, 0, 1, 0, 0, 2, -0.5];
    const refs: Point[] = [
      [0.2, 0.6],
      [0.8, 0.6],
      [0.8, 0.9],
      [0.2, 0.9],
    ];
    const result = reprojectCalibration(
      documentWith([slot('A01', square(0.4, 0.05))]),
      refs,
      refs.map((p) => applyHomography(tilt, p)),
    );
    expect(result.flags).toEqual([
      { kind: 'slot', index: 0, id: 'A01', outsidePoints: [], visibleFraction: 0, unprojectable: true },
    ]);
    expect(result.document.slots[0]!.polygon).toEqual(square(0.4, 0.05));
  });

  it('refuses reference points on one line and a wrong number of points', () => {
    const line: Point[] = [
      [0.1, 0.1],
      [0.2, 0.2],
      [0.3, 0.3],
      [0.9, 0.1],
    ];
    for (const [a, b] of [
      [line, REFS],
      [REFS.slice(0, 3), REFS.slice(0, 3)],
    ] as const) {
      const e = (() => {
        try {
          reprojectCalibration(doc, a, b);
        } catch (err) {
          return err as CalibrationError;
        }
        return null;
      })();
      expect(e?.code).toBe('VOLNO_HOMOGRAPHY_DEGENERATE');
    }
  });
});
