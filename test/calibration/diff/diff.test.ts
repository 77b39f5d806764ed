import { describe, expect, it } from 'vitest';
import { diffCalibrations } from '../../../calibration/diff/diff.ts';
import { documentWith, slot, square } from '../helpers.ts';

const before = documentWith(
  [
    slot('A01', square(0.1, 0.1)),
    slot('A02', square(0.2, 0.1)),
    slot('A03', square(0.3, 0.1)),
    slot('A04', square(0.4, 0.1)),
  ],
  { privacy_masks: [{ id: 'w', label: 'window', polygon: square(0.8, 0.8) }] },
);

describe('diffCalibrations', () => {
  it('says two identical versions are identical', () => {
    const diff = diffCalibrations(before, structuredClone(before));
    expect(diff.identical).toBe(true);
    expect(diff.slots.unchanged).toBe(4);
  });

  it('lists added, removed, moved and changed slots and masks', () => {
    const after = documentWith(
      [
        slot('A01', square(0.1, 0.1)),
        slot('A02', square(0.21, 0.1)), // 0.01 × 1280 = 12.8 px to the right
        slot('A03', square(0.3, 0.1), { label: 'A3', type: 'ev', reservable: true }),
        slot('A05', square(0.5, 0.1)),
      ],
      {
        privacy_masks: [
          { id: 'w', label: 'office window', polygon: square(0.8, 0.8) },
          { id: 'p', polygon: square(0, 0.9) },
        ],
      },
    );
    const diff = diffCalibrations(before, after);
    expect(diff.identical).toBe(false);
    expect(diff.slots.added.map((s) => s.id)).toEqual(['A05']);
    expect(diff.slots.removed.map((s) => s.id)).toEqual(['A04']);
    expect(diff.slots.moved).toEqual([
      {
        id: 'A02',
        maxShiftPx: expect.closeTo(12.8, 9),
        meanShiftPx: expect.closeTo(12.8, 9),
        pointCountChanged: false,
      },
    ]);
    expect(diff.slots.changed).toEqual([
      {
        id: 'A03',
        changes: [
          { field: 'label', before: 'A03', after: 'A3' },
          { field: 'type', before: 'standard', after: 'ev' },
          { field: 'reservable', before: false, after: true },
        ],
      },
    ]);
    expect(diff.slots.unchanged).toBe(1);
    expect(diff.masks.added.map((m) => m.id)).toEqual(['p']);
    expect(diff.masks.changed).toEqual([
      { id: 'w', changes: [{ field: 'label', before: 'window', after: 'office window' }] },
    ]);
  });

  it('ignores shifts below the tolerance, reports reshaped outlines and frame changes', () => {
    const nudged = structuredClone(before);
    nudged.slots[0]!.polygon[0]![0] += 0.2 / 1280; // 0.2 px
    expect(diffCalibrations(before, nudged).identical).toBe(true);
    expect(diffCalibrations(before, nudged, { tolerancePx: 0.1 }).slots.moved.map((m) => m.id)).toEqual(['A01']);

    const reshaped = structuredClone(before);
    reshaped.slots[1]!.polygon.push([0.25, 0.25]);
    reshaped.slots[1]!.exit_delay_s = 30;
    reshaped.frame_width = 1920;
    const diff = diffCalibrations(before, reshaped);
    expect(diff.slots.moved[0]).toMatchObject({ id: 'A02', pointCountChanged: true });
    expect(diff.slots.changed).toEqual([
      { id: 'A02', changes: [{ field: 'exit_delay_s', before: undefined, after: 30 }] },
    ]);
    expect(diff.frame).toEqual([{ field: 'frame_width', before: 1280, after: 1920 }]);
  });
});
