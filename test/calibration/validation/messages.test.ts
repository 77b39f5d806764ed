import { describe, expect, it } from 'vitest';
import type { Point } from '../../../protocol/geometry.ts';
import {
  CALIBRATION_MESSAGES,
  formatMessage,
  ISSUE_CODES,
  SUBJECTS,
} from '../../../calibration/validation/messages.ts';
import { validateCalibration } from '../../../calibration/validation/validate.ts';
import { documentWith, slot, square } from '../helpers.ts';

describe('calibration messages', () => {
  it('has a sentence for every issue code and subject in every language', () => {
    for (const table of Object.values(CALIBRATION_MESSAGES))
      for (const key of [...ISSUE_CODES, ...SUBJECTS]) expect(table[key]?.length ?? 0).toBeGreaterThan(10);
  });

  it('fills every placeholder of every message it produces', () => {
    // One document that breaks every rule at once.
    const bowtie: Point[] = [
      [0.5, 0.5],
      [0.6, 0.6],
      [0.6, 0.5],
      [0.5, 0.6],
    ];
    const doc = documentWith(
      [
        slot('A01', square(0.1, 0.1)),
        slot('A01', square(0.105, 0.1), { label: 'A01 ' }),
        slot('bad id', [
          [0.3, 0.3],
          [0.31, 0.3],
        ]),
        slot('A04', bowtie, { label: '' }),
        slot('A05', [
          [0.7, 0.7],
          [1.1, 0.7],
          [0.7, 0.8],
        ]),
        slot('A06', [
          [0.8, 0.1],
          [0.9, 0.1],
          [0.9, 0.100001],
        ]),
        slot(
          'A07',
          Array.from({ length: 40 }, (_, i): Point => [0.3 + 0.05 * Math.cos(i / 6.4), 0.6 + 0.05 * Math.sin(i / 6.4)]),
        ),
        slot('A08', [
          [0.05, 0.9],
          [0.055, 0.9],
          [0.055, 0.91],
          [0.05, 0.91],
        ]),
      ],
      { privacy_masks: [{ id: 'w', polygon: square(0.1, 0.1, 0.05) }] },
    );
    const issues = validateCalibration(doc, { model: { width: 64, height: 64 } }).issues;
    expect(new Set(issues.map((i) => i.code))).toEqual(new Set(ISSUE_CODES.filter((c) => c !== 'no_slots')));
    for (const i of issues) {
      expect(i.message).not.toMatch(/[{}]/);
      expect(i.message).toMatch(/^[A-Z0-9"]/);
    }
    expect(validateCalibration(documentWith([])).issues[0]!.message).toMatch(/^There are no slots/);
  });

  it('leaves an unknown placeholder visible instead of dropping it', () => {
    expect(formatMessage('slot {name} and {nope}', { name: 'A1' })).toBe('Slot A1 and {nope}');
  });
});
