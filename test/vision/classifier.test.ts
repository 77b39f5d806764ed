import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOccupancyModel, loadRgbFrame, type LoadedOccupancyModel } from '../../edge/vision/index.ts';
import { requireDataset } from '../support/datasets.ts';
import { SHIPPED_MODEL } from './helpers.ts';

interface Labels {
  image: string;
  slots: { polygon: [number, number][]; occupied: boolean }[];
}

let model: LoadedOccupancyModel;
beforeAll(async () => {
  model = await loadOccupancyModel(SHIPPED_MODEL, { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await model.close();
});

/** Accuracy of the shipped model over every labelled frame in `folder` (at most `limit` frames). */
async function accuracy(folder: string, limit: number): Promise<{ right: number; slots: number }> {
  const files = (await readdir(folder))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .slice(0, limit);
  let right = 0;
  let slots = 0;
  for (const file of files) {
    const labels = JSON.parse(await readFile(join(folder, file), 'utf8')) as Labels;
    const frame = await loadRgbFrame(join(folder, labels.image));
    const p = await model.classify(
      frame,
      labels.slots.map((s) => s.polygon),
    );
    labels.slots.forEach((s, i) => (right += Number(p[i]! >= model.threshold === s.occupied)));
    slots += labels.slots.length;
  }
  return { right, slots };
}

// Sanity bars well under the measured figures (MODEL_CARD.md): they catch a broken warp, a swapped
// channel order or a wrong normalisation, which all drop a classifier to chance on these frames.
describe('the shipped classifier on frames training never saw', () => {
  it('gets UFPR05 sequence 5 (held out) mostly right', async (ctx) => {
    const { right, slots } = await accuracy(requireDataset(ctx, 'pklot-ufpr05/sequence5/frames'), 5);
    expect(slots).toBe(200);
    expect(right / slots).toBeGreaterThanOrEqual(0.88);
  });

  it('gets Roboflow valid frames mostly right', async (ctx) => {
    const { right, slots } = await accuracy(requireDataset(ctx, 'roboflow-lot1/valid/images'), 4);
    expect(slots).toBeGreaterThan(300);
    expect(right / slots).toBeGreaterThanOrEqual(0.88);
  });
});
