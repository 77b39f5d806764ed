import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exportLabelledFrame,
  importLabelledFrame,
  parseLabelledFrame,
} from '../../../calibration/io/labelled-frame.ts';
import { validateCalibration } from '../../../calibration/validation/validate.ts';
import { requireDataset } from '../../support/datasets.ts';
import { documentWith, readUfpr05Json, slot, square } from '../helpers.ts';

describe('labelled-frame JSON', () => {
  it('imports the UFPR05 frame as 40 standard slots in 0–1 coordinates', (ctx) => {
    const json = readUfpr05Json(ctx);
    const doc = importLabelledFrame(json.text, { cameraId: 'ufpr05' });
    if (!doc.ok) throw doc.error;
    expect(doc.value.camera_id).toBe('ufpr05');
    expect([doc.value.frame_width, doc.value.frame_height, doc.value.slots.length]).toEqual([1280, 720, 40]);
    expect(doc.value.slots[0]).toEqual({
      id: '1',
      label: '1',
      type: 'standard',
      reservable: false,
      polygon: [
        [608 / 1280, 613 / 720],
        [741 / 1280, 654 / 720],
        [775 / 1280, 582 / 720],
        [608 / 1280, 526 / 720],
      ],
    });
  });

  it('exports the same pixels, ids and (given) occupancy it imported', (ctx) => {
    const json = readUfpr05Json(ctx);
    const doc = importLabelledFrame(json.text);
    if (!doc.ok) throw doc.error;
    const occupied = Object.fromEntries(json.slots.map((s) => [s.id, s.occupied]));
    const out = JSON.parse(
      exportLabelledFrame(doc.value, { image: '2013-02-24_10_05_04.jpg', occupied }),
    ) as typeof json;
    expect(out.slots).toEqual(json.slots.map(({ id, polygon, occupied: o }) => ({ id, polygon, occupied: o })));
    expect([out.width, out.height]).toEqual([1280, 720]);
  });

  it('reads the second lot of the datasets too (854×480, outlines of 4–12 points)', (ctx) => {
    const dir = requireDataset(ctx, 'roboflow-lot1/valid/images');
    const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
    const doc = importLabelledFrame(readFileSync(join(dir, file)));
    if (!doc.ok) throw doc.error;
    expect([doc.value.frame_width, doc.value.frame_height]).toEqual([854, 480]);
    expect(doc.value.slots.length).toBeGreaterThan(50);
    // Its free slots are stall outlines and its occupied ones car outlines (datasets README), so they
    // overlap: the validator must say so in words, not crash.
    const report = validateCalibration(doc.value);
    expect(report.issues.every((i) => i.message.length > 20)).toBe(true);
  });

  it('rejects files that are not labelled frames with path: message lines', () => {
    const bad = parseLabelledFrame(
      JSON.stringify({ image: 'a.png', width: 0, height: 10, slots: [{ id: '1', polygon: [[1, 2, 3]] }] }),
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.issues).toEqual(
      expect.arrayContaining([
        '/width: must be >= 1',
        '/slots/0/occupied: is required',
        '/slots/0/polygon/0: must not have more than 2 items',
      ]),
    );
    expect(parseLabelledFrame('not json').ok).toBe(false);
  });

  it('writes sub-pixel outlines with 1/1000 px precision and occupancy false unless told', () => {
    const doc = documentWith([slot('A01', square(1 / 3, 0.1))]);
    const out = JSON.parse(exportLabelledFrame(doc, { image: 'x.png' })) as {
      slots: { polygon: number[][]; occupied: boolean }[];
    };
    expect(out.slots[0]!.polygon[0]).toEqual([426.667, 72]);
    expect(out.slots[0]!.occupied).toBe(false);
  });
});
