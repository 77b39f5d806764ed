/**
 * Chooses the slot-assignment settings of a detector (footprint band, full coverage, threshold) on
 * TRAINING frames only: UFPR05 sequences 0–3 and Roboflow `train`. The held-out sets are never read.
 *
 *   npx tsx models/detectors/tune.ts <model dir>
 *
 * Runs the detector once per frame with a low score threshold, then scores every setting on the
 * cached boxes and prints the grid's best by mean accuracy over the two lots (each lot counts the same).
 */
import { join } from 'node:path';
import {
  DetectorModel,
  loadOccupancyModel,
  loadRgbFrame,
  slotProbabilities,
  type Detection,
} from '../../edge/vision/index.ts';
import { findLabelledFrames, type LabelledFrame } from '../dataset/labelled-frames.ts';
import { datasetsRoot } from '../paths.ts';
import { HOLDOUT } from '../prepare/sources.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: tune.ts <model dir>');
  process.exit(2);
}
const model = (await loadOccupancyModel(dir)) as DetectorModel;
if (!(model instanceof DetectorModel)) throw new Error(`${dir} is not a detector`);
const lots: Record<string, LabelledFrame[]> = {};
for (const [lot, folder] of [
  ['ufpr05', 'pklot-ufpr05'],
  ['roboflow', 'roboflow-lot1/train'],
] as const) {
  const { frames } = await findLabelledFrames(join(datasetsRoot(), folder));
  lots[lot] = frames.filter((f) => !HOLDOUT.some((h) => f.jsonPath.includes(`/${h}/`)));
}
const seen: { lot: string; frame: LabelledFrame; detections: Detection[] }[] = [];
for (const [lot, frames] of Object.entries(lots)) {
  for (const frame of frames)
    seen.push({ lot, frame, detections: await model.detect(await loadRgbFrame(frame.imagePath)) });
}
await model.close();
const results: { band: number; full: number; threshold: number; accuracy: number; per_lot: Record<string, number> }[] =
  [];
for (const band of [0.3, 0.4, 0.5, 0.6, 0.8, 1]) {
  for (const full of [0.2, 0.3, 0.4, 0.5, 0.6]) {
    const probs = seen.map((s) =>
      slotProbabilities(
        s.detections,
        s.frame.slots.map((x) => x.polygon),
        { band, fullCoverage: full },
      ),
    );
    for (const threshold of [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6]) {
      const right: Record<string, [number, number]> = {};
      seen.forEach((s, k) => {
        const r = (right[s.lot] ??= [0, 0]);
        s.frame.slots.forEach((slot, i) => {
          r[0] += Number(probs[k]![i]! >= threshold === slot.occupied);
          r[1]++;
        });
      });
      const per_lot = Object.fromEntries(Object.entries(right).map(([l, [a, n]]) => [l, +(a / n).toFixed(4)]));
      const accuracy = +(Object.values(per_lot).reduce((a, b) => a + b, 0) / Object.keys(per_lot).length).toFixed(4);
      results.push({ band, full, threshold, accuracy, per_lot });
    }
  }
}
results.sort((a, b) => b.accuracy - a.accuracy);
const bestFor = (lot: string) => [...results].sort((a, b) => b.per_lot[lot]! - a.per_lot[lot]!)[0];
console.log(
  JSON.stringify({
    model: model.id,
    frames: seen.length,
    best: results.slice(0, 5),
    best_ufpr05: bestFor('ufpr05'),
    best_roboflow: bestFor('roboflow'),
  }),
);
