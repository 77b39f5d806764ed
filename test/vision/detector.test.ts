import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectorModel } from '../../edge/vision/index.ts';
import { loadOccupancyModel, loadRgbFrame } from '../../edge/vision/index.ts';
import { requireDataset } from '../support/datasets.ts';
import { detectorDir, tempDir } from './helpers.ts';

// 24 of 40 slots occupied; a training frame for the classifier, never seen by either detector.
const FRAME = 'pklot-ufpr05/sequence3/frames/2013-03-19_07_25_01.png';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.remove();
});

interface Labels {
  slots: { polygon: [number, number][]; occupied: boolean }[];
}

describe.each([
  ['yolox-nano', 'models/yolox-nano/yolox_nano.onnx'],
  ['nanodet-m', 'models/nanodet-m/nanodet_m_416.onnx'],
] as const)('the %s detector on a real UFPR05 frame', (kind, onnx) => {
  it('finds parked cars inside the frame and marks mostly occupied slots', async (ctx) => {
    const file = requireDataset(ctx, onnx);
    const framePath = requireDataset(ctx, FRAME);
    const dir = join(tmp.dir, kind);
    await mkdir(dir);
    await detectorDir(dir, kind, file);
    const model = (await loadOccupancyModel(dir)) as DetectorModel;
    try {
      const frame = await loadRgbFrame(framePath);
      const labels = JSON.parse(await readFile(framePath.replace(/\.png$/, '.json'), 'utf8')) as Labels;
      const detections = await model.detect(frame);
      const occupied = labels.slots.filter((s) => s.occupied).length;
      expect(detections.length).toBeGreaterThanOrEqual(Math.ceil(occupied / 3));
      for (const d of detections) {
        expect(d.x1).toBeGreaterThanOrEqual(0);
        expect(d.y2).toBeLessThanOrEqual(frame.height);
        expect(d.x2 - d.x1).toBeGreaterThan(10);
        expect([2, 3, 5, 7]).toContain(d.classId);
      }
      const p = await model.classify(
        frame,
        labels.slots.map((s) => s.polygon),
      );
      const right = labels.slots.filter((s, i) => p[i]! >= model.threshold === s.occupied).length;
      console.log(`${kind}: ${detections.length} vehicles, ${right}/${labels.slots.length} slots right`);
      expect(right / labels.slots.length).toBeGreaterThanOrEqual(0.8);
    } finally {
      await model.close();
    }
  });
});
