import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logit, sigmoid } from '../../calibration/tune/logistic.ts';
import { seededRandom } from '../../edge/simulator/random.ts';
import {
  loadOccupancyModel,
  readGenericHead,
  readManifest,
  type ClassifierModel,
  type LinearHead,
  type RgbFrame,
} from '../../edge/vision/index.ts';
import { REPO } from './helpers.ts';
import { TEST_SEED } from '../support/seed.ts';

const DIR = join(REPO, 'models', 'volno-yolox-slot-v1');

/** A frame of seeded noise with a few flat "cars": the contract does not depend on what is seen. */
function frame(): RgbFrame {
  const width = 320;
  const height = 200;
  const data = new Uint8Array(width * height * 3);
  const random = seededRandom(TEST_SEED);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
  for (let y = 40; y < 90; y++)
    for (let x = 20; x < 120; x++) data.fill(30, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { width, height, data, capturedAt: 0 };
}

const slots = [
  [
    [10, 30],
    [130, 30],
    [130, 100],
    [10, 100],
  ],
  [
    [150, 20],
    [190, 20],
    [190, 180],
    [150, 180],
  ],
  [
    [200, 120],
    [310, 110],
    [300, 190],
    [210, 195],
  ],
] as const;

let model: ClassifierModel;
let head: LinearHead;
beforeAll(async () => {
  model = (await loadOccupancyModel(DIR)) as ClassifierModel;
  head = (await readGenericHead(DIR, await readManifest(DIR)))!;
});
afterAll(async () => {
  await model.close();
});

describe('the shipped feature classifier', () => {
  it('returns features whose generic head reproduces its own probabilities', async () => {
    const r = await model.classifyDetailed(frame(), slots);
    expect(r.dim).toBe(model.featureDim);
    expect(r.dim).toBeGreaterThan(0);
    expect(r.features!.length).toBe(slots.length * r.dim);
    expect(head.weights.length).toBe(r.dim);
    for (let i = 0; i < slots.length; i++) {
      expect(sigmoid(logit(head, r.features!, i * r.dim))).toBeCloseTo(r.probs[i]!, 4);
    }
    expect([...(await model.classify(frame(), slots))]).toEqual([...r.probs]);
  });

  it('letterboxes: a tall slot leaves grey 114 on both sides of the input', () => {
    const n = model.prepare(frame(), [slots[1]]);
    const input = model.preparedInput(n);
    // 64×64, BGR 0–255: the slot is 40×160, so it fills a 16-px-wide centre column.
    expect(input[0]).toBe(114);
    expect(input[63]).toBe(114);
    expect(input[32 * 64 + 32]).not.toBe(114);
  });

  it('declares an uncertain band inside (0, 1) around its threshold', async () => {
    const m = await readManifest(DIR);
    const band = m.classifier!.uncertain!;
    expect(band.low).toBeLessThanOrEqual(m.threshold);
    expect(band.high).toBeGreaterThanOrEqual(m.threshold);
    expect(band.low).toBeGreaterThan(0);
    expect(band.high).toBeLessThan(1);
  });
});
