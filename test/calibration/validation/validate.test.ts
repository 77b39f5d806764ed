import { describe, expect, it } from 'vitest';
import type { Point } from '../../../protocol/geometry.ts';
import { validateCalibration } from '../../../calibration/validation/validate.ts';
import type { CalibrationIssue, ValidationOptions } from '../../../calibration/validation/types.ts';
import type { CalibrationDocument } from '../../../calibration/document/schema.ts';
import { documentWith, slot, square } from '../helpers.ts';

const only = (doc: CalibrationDocument, options?: ValidationOptions): CalibrationIssue[] =>
  validateCalibration(doc, options).issues;

describe('validateCalibration: one rule at a time', () => {
  it('accepts a clean calibration with no issue at all', () => {
    const report = validateCalibration(documentWith([slot('A01', square(0.1, 0.1)), slot('A02', square(0.2, 0.1))]));
    expect(report).toEqual({ issues: [], errors: 0, warnings: 0, canSave: true });
  });

  it('warns, without blocking, when there are no slots', () => {
    const report = validateCalibration(documentWith([]));
    expect(report.issues.map((i) => [i.code, i.severity])).toEqual([['no_slots', 'warning']]);
    expect(report.canSave).toBe(true);
  });

  it('blocks an outline with fewer than 3 points', () => {
    const [issue] = only(
      documentWith([
        slot('A01', [
          [0.1, 0.1],
          [0.2, 0.2],
        ]),
      ]),
    );
    expect(issue).toMatchObject({
      code: 'too_few_points',
      severity: 'error',
      slotIds: ['A01'],
      path: '/slots/0/polygon',
    });
    expect(issue!.message).toBe('Slot A01 has only 2 point(s). An outline needs at least 3; add points or delete it.');
  });

  it('blocks an outline with more points than the agent accepts', () => {
    const circle = Array.from({ length: 33 }, (_, i): Point => [
      0.5 + 0.1 * Math.cos(i / 5.25),
      0.5 + 0.1 * Math.sin(i / 5.25),
    ]);
    const issues = only(documentWith([slot('A01', circle)]));
    expect(issues.map((i) => i.code)).toEqual(['too_many_points']);
    expect(issues[0]!.message).toMatch(/has 33 points; the camera agent accepts at most 32/);
  });

  it('blocks a self-intersecting outline and names the crossing edges as staff count them', () => {
    const bowtie: Point[] = [
      [0.1, 0.1],
      [0.2, 0.2],
      [0.2, 0.1],
      [0.1, 0.2],
    ];
    const [issue] = only(documentWith([slot('A01', bowtie, { label: 'North 1' })]));
    expect(issue).toMatchObject({ code: 'self_intersection', severity: 'error', points: [0, 1, 2, 3] });
    expect(issue!.message).toBe(
      'Slot North 1 crosses itself (edges 1–2 and 3–4 cross). Drag the points so the outline does not cross.',
    );
  });

  it('blocks points outside the picture and lists them', () => {
    const [issue] = only(
      documentWith([
        slot('A01', [
          [-0.01, 0.1],
          [0.2, 0.1],
          [0.2, 1.2],
          [0.1, 0.2],
        ]),
      ]),
    );
    expect(issue).toMatchObject({
      code: 'out_of_frame',
      severity: 'error',
      points: [0, 2],
      params: { count: 2, points: '1, 3' },
    });
  });

  it('accepts points exactly on the frame edge', () => {
    expect(
      only(
        documentWith([
          slot('A01', [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ]),
        ]),
      ),
    ).toEqual([]);
  });

  it('blocks an outline that encloses almost no area, which the agent would reject', () => {
    const [issue] = only(
      documentWith([
        slot('A01', [
          [0.1, 0.1],
          [0.2, 0.1],
          [0.2, 0.10001],
        ]),
      ]),
    );
    expect(issue).toMatchObject({ code: 'no_area', severity: 'error' });
  });

  it('blocks ids that cannot become MQTT topic levels', () => {
    const issues = only(documentWith([slot('A/01', square(0.1, 0.1)), slot('A 2', square(0.3, 0.1))]));
    expect(issues.map((i) => [i.code, i.slotIds[0]])).toEqual([
      ['invalid_id', 'A/01'],
      ['invalid_id', 'A 2'],
    ]);
  });

  it('blocks duplicate slot ids and duplicate mask ids, pointing at every copy', () => {
    const doc = documentWith([slot('A01', square(0.1, 0.1)), slot('A01', square(0.3, 0.1), { label: 'other' })], {
      privacy_masks: [
        { id: 'm', polygon: square(0.6, 0.6) },
        { id: 'm', polygon: square(0.8, 0.8) },
      ],
    });
    const issues = only(doc).filter((i) => i.code === 'duplicate_id');
    expect(issues.map((i) => [i.slotIndexes, i.maskIndexes, i.path])).toEqual([
      [[0, 1], [], '/slots/1/id'],
      [[], [0, 1], '/privacy_masks/1/id'],
    ]);
    expect(issues[0]!.message).toBe('2 outlines use the id "A01". Every slot and every privacy mask needs its own id.');
  });

  it('blocks duplicate labels regardless of case and spaces, and warns about a missing label', () => {
    const doc = documentWith([
      slot('A01', square(0.1, 0.1), { label: 'A7' }),
      slot('A02', square(0.3, 0.1), { label: ' a7' }),
      slot('A03', square(0.5, 0.1), { label: '  ' }),
    ]);
    const issues = only(doc);
    expect(issues.map((i) => [i.code, i.severity, i.slotIds])).toEqual([
      ['duplicate_label', 'error', ['A01', 'A02']],
      ['missing_label', 'warning', ['A03']],
    ]);
    expect(issues[0]!.message).toBe('Label "A7" is used by 2 slots (A01, A02). Give each slot its own label.');
    expect(issues[1]!.message).toBe('Slot A03 has no label; visitors and staff will see its id "A03" instead.');
  });

  it('warns about a small overlap and blocks a large one, measured against the smaller slot', () => {
    const base = slot('A01', square(0.1, 0.1));
    const slight = slot('A02', square(0.18, 0.1)); // 20 % of either
    const mostly = slot('A03', square(0.12, 0.1, 0.05)); // a small slot 100 % inside A01
    const issues = only(documentWith([base, slight, mostly]));
    const overlaps = issues.filter((i) => i.code === 'overlap');
    expect(overlaps.map((i) => [i.severity, i.slotIds, i.params['percent']])).toEqual([
      ['error', ['A01', 'A03'], 100],
      ['warning', ['A01', 'A02'], 20],
    ]);
    expect(overlaps[1]!.message).toBe(
      'Slot A01 and slot A02 overlap by 20 % of the smaller one. Adjacent slots should only touch; move the shared edge.',
    );
  });

  it('does not count slots that only share an edge, nor overlaps with a closed slot, and honours custom thresholds', () => {
    const touching = documentWith([slot('A01', square(0.1, 0.1)), slot('A02', square(0.2, 0.1))]);
    expect(only(touching)).toEqual([]);
    const withDisabled = documentWith([
      slot('A01', square(0.1, 0.1)),
      slot('A02', square(0.1, 0.1), { closed: true, label: 'x' }),
    ]);
    expect(only(withDisabled)).toEqual([]);
    const slight = documentWith([slot('A01', square(0.1, 0.1)), slot('A02', square(0.18, 0.1))]);
    expect(only(slight, { overlap: { warning: 0.25, error: 0.5 } })).toEqual([]);
    expect(only(slight, { overlap: { warning: 0.05, error: 0.15 } }).map((i) => i.severity)).toEqual(['error']);
  });

  it('flags slots too small for the model input, only when the model size is given', () => {
    // 1280×720 frame: 0.1 × 0.1 is 128 × 72 px; 0.01 × 0.02 is 12.8 × 14.4 px.
    const doc = documentWith([
      slot('A01', square(0.1, 0.1)),
      slot('A02', [
        [0.5, 0.5],
        [0.51, 0.5],
        [0.51, 0.52],
        [0.5, 0.52],
      ]),
    ]);
    expect(only(doc)).toEqual([]);
    const small = only(doc, { model: { width: 64, height: 64 } });
    expect(small.map((i) => [i.code, i.severity, i.slotIds, i.params['factor']])).toEqual([
      ['too_small_for_model', 'warning', ['A02'], 5],
    ]);
    expect(small[0]!.message).toBe(
      'Slot A02 is only 13 × 14 pixels in the picture; the model needs 64 × 64, so the slot would be enlarged 5 times and read unreliably. Use a closer camera or a higher resolution.',
    );
    const bigModel = only(doc, { model: { width: 150, height: 150 } });
    expect(bigModel.map((i) => [i.severity, i.slotIds])).toEqual([['error', ['A02']]]);
  });

  it('warns when a privacy mask hides part of a slot', () => {
    const doc = documentWith([slot('A01', square(0.1, 0.1))], {
      privacy_masks: [{ id: 'w', label: 'office window', polygon: square(0.15, 0.05, 0.1) }],
    });
    const [issue] = only(doc);
    expect(issue).toMatchObject({ code: 'mask_covers_slot', severity: 'warning', slotIds: ['A01'], maskIds: ['w'] });
    expect(issue!.message).toBe(
      'Privacy mask office window hides 25 % of slot A01. Staff will not be able to check that slot in snapshots.',
    );
  });

  it('checks privacy masks for broken outlines too', () => {
    const doc = documentWith([slot('A01', square(0.1, 0.1))], {
      privacy_masks: [
        {
          id: 'w',
          polygon: [
            [0.5, 0.5],
            [0.6, 0.6],
          ],
        },
      ],
    });
    const [issue] = only(doc);
    expect(issue).toMatchObject({ code: 'too_few_points', maskIds: ['w'], path: '/privacy_masks/0/polygon' });
    expect(issue!.message).toMatch(/^Privacy mask w has only 2 point/);
  });

  it('lists errors before warnings and lets only errors block the save', () => {
    const doc = documentWith([slot('A01', square(0.1, 0.1), { label: '' }), slot('A02', square(0.95, 0.1))]);
    const report = validateCalibration(doc);
    expect(report.issues.map((i) => i.severity)).toEqual(['error', 'warning']);
    expect([report.errors, report.warnings, report.canSave]).toEqual([1, 1, false]);
  });
});
