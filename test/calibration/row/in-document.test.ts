import { describe, expect, it } from 'vitest';
import type { Quad } from '../../../calibration/geometry/quad.ts';
import { appendSlots, generateRow } from '../../../calibration/row/in-document.ts';
import { rowFromEnds } from '../../../calibration/row/row-tool.ts';
import { validateCalibration } from '../../../calibration/validation/validate.ts';
import { documentWith, slot, square } from '../helpers.ts';

describe('generateRow', () => {
  it('fits in pixels and returns 0–1 outlines that validate without overlaps', () => {
    const doc = documentWith([]);
    const first = [
      [0.1, 0.5],
      [0.16, 0.5],
      [0.17, 0.6],
      [0.1, 0.6],
    ] as [number, number][];
    const last = [
      [0.5, 0.45],
      [0.54, 0.45],
      [0.545, 0.52],
      [0.5, 0.52],
    ] as [number, number][];
    const row = generateRow(doc, { first, last, count: 8 });
    const px = (p: [number, number][]) => p.map(([x, y]) => [x * 1280, y * 720]) as unknown as Quad;
    const direct = rowFromEnds(px(first), px(last), 8);
    expect(row.residualPx).toBeCloseTo(direct.residual, 9);
    row.polygons.forEach((p, k) =>
      expect(px(p as [number, number][]).flat()).toEqual(direct.slots[k]!.flat().map((v) => expect.closeTo(v, 9))),
    );
    const { document } = appendSlots(doc, row.polygons, { prefix: 'A' });
    expect(validateCalibration(document).issues).toEqual([]);
  });

  it('extends one slot towards a point and refuses outlines that are not quads', () => {
    const doc = documentWith([]);
    const row = generateRow(doc, { first: square(0.1, 0.1), towards: [0.45, 0.15] });
    expect(row.polygons).toHaveLength(4);
    expect(() => generateRow(doc, { first: square(0.1, 0.1).slice(0, 3), towards: [0.5, 0.1] })).toThrow(/4 corners/);
  });
});

describe('appendSlots', () => {
  it('numbers new slots after the ones already taken, by id or by label, case-insensitively', () => {
    const doc = documentWith([slot('A01', square(0.1, 0.1)), slot('x', square(0.3, 0.1), { label: 'a03' })]);
    const { document, added } = appendSlots(doc, [square(0.5, 0.1), square(0.6, 0.1), square(0.7, 0.1)], {
      prefix: 'A',
      type: 'visitor',
      reservable: true,
    });
    expect(added.map((s) => [s.id, s.label, s.type, s.reservable])).toEqual([
      ['A02', 'A02', 'visitor', true],
      ['A04', 'A04', 'visitor', true],
      ['A05', 'A05', 'visitor', true],
    ]);
    expect(document.slots).toHaveLength(5);
    expect(doc.slots).toHaveLength(2); // the input is not modified
    expect(appendSlots(documentWith([]), [square(0, 0)]).added[0]!.id).toBe('1');
  });
});
