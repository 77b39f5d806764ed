import { readFileSync } from 'node:fs';
import type { Point } from '../../protocol/geometry.ts';
import { emptyCalibration, type CalibrationDocument, type CalibrationSlot } from '../../calibration/document/schema.ts';
import { requireDataset, type SkippableContext } from '../support/datasets.ts';

/** A square slot of side `size` (0–1 units) with its top-left corner at (x, y). */
export function square(x: number, y: number, size = 0.1): [number, number][] {
  return [
    [x, y],
    [x + size, y],
    [x + size, y + size],
    [x, y + size],
  ];
}

export function slot(id: string, polygon: readonly Point[], extra: Partial<CalibrationSlot> = {}): CalibrationSlot {
  return { id, label: id, type: 'standard', reservable: false, polygon: polygon.map(([x, y]) => [x, y]), ...extra };
}

export function documentWith(slots: CalibrationSlot[], extra: Partial<CalibrationDocument> = {}): CalibrationDocument {
  return { ...emptyCalibration(1280, 720, 'north-1'), slots, ...extra };
}

/** The UFPR05 frame every real-data test uses; its polygons are the same in all 30 frames. */
export const UFPR05_FRAME = 'pklot-ufpr05/sequence0/frames/2013-02-24_10_05_04.json';
export const UFPR05_XML = 'pklot-ufpr05/sequence0/bounding_boxes/2013-02-24_10_05_04.xml';

export interface LabelledSlot {
  id: string;
  polygon: [number, number][];
  occupied: boolean;
}

export function readUfpr05Json(
  ctx: SkippableContext,
  rel = UFPR05_FRAME,
): { width: number; height: number; slots: LabelledSlot[]; text: string } {
  const text = readFileSync(requireDataset(ctx, rel), 'utf8');
  return { ...(JSON.parse(text) as { width: number; height: number; slots: LabelledSlot[] }), text };
}
