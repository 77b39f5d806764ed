import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureExtractor, extractFeatures, joinTables, type CropConfig } from '../../models/features/extract.ts';
import { runLoco } from '../../models/features/loco.ts';
import { allImageJobs, LOCO_GROUPS, type ImageJob } from '../../models/features/samples.ts';
import { requireDataset } from '../support/datasets.ts';
import { REPO, tempDir } from '../vision/helpers.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.remove();
});

/** A few images of every camera group, both classes of CNRPark: enough to run every step quickly. */
function subset(jobs: ImageJob[]): ImageJob[] {
  const out: ImageJob[] = [];
  for (const group of LOCO_GROUPS) {
    const mine = jobs.filter((j) => j.group === group);
    if (group.startsWith('cnrpark')) {
      out.push(...mine.filter((j) => j.samples[0]!.occupied).slice(0, 12));
      out.push(...mine.filter((j) => !j.samples[0]!.occupied).slice(0, 12));
    } else out.push(...mine.slice(0, 2));
  }
  return out;
}

describe('models:loco', () => {
  it('cuts the detector, extracts pooled features and scores every left-out camera, bit for bit again', async (ctx) => {
    const datasets = requireDataset(ctx, '.');
    const yolox = requireDataset(ctx, 'models/yolox-nano/yolox_nano.onnx');
    const extractor = join(tmp.dir, 'cut.onnx');
    execFileSync('/usr/bin/python3', [join(REPO, 'models/backbone/cut_yolox.py'), yolox, extractor]);
    const jobs = subset(await allImageJobs(datasets));
    const samples = jobs.flatMap((j) => j.samples);
    const crop: CropConfig = { crop: 'letterbox', size: 64, context: 0.1 };
    const a = await extractFeatures(jobs, crop, extractor, join(tmp.dir, 'a'));
    const b = await extractFeatures(jobs, crop, extractor, join(tmp.dir, 'b'));
    expect(a.dim).toBe(1286);
    expect(Buffer.from(a.features.buffer).equals(Buffer.from(b.features.buffer))).toBe(true);
    // Clean rows, one per slot, plus the augmented copies (8 per UFPR05 slot, 1 elsewhere).
    const clean = a.augmented.filter((x) => x === 0).length;
    expect(clean).toBe(samples.length);
    expect(a.sample.length).toBeGreaterThan(2 * clean);
    const folds = runLoco(a, samples, { columns: 'all', l2: 0.1 }, { l2: 0.3, picks: 1, seed: 1 });
    expect(folds.map((f) => f.group)).toEqual([...LOCO_GROUPS]);
    for (const f of folds) {
      expect(f.generic.n).toBe(samples.filter((s) => s.group === f.group).length);
      const { tn, fp, fn, tp } = f.generic;
      expect(tn + fp + fn + tp).toBe(f.generic.n);
      expect(f.generic.accuracy).toBeCloseTo((tn + tp) / f.generic.n, 12);
      // Left-out predictions are what the calibration is fitted on: one logit per left-out slot.
      expect(f.oof!.logits).toHaveLength(f.generic.n);
      expect(f.adapted!.frames).toBe(1);
    }
    expect(runLoco(a, samples, { columns: 'all', l2: 0.1 }, null)).toEqual(
      folds.map(({ adapted: _adapted, ...rest }) => rest),
    );
  }, 240_000);

  it('cuts NanoDet-m for a batch of 64 px crops and reads it beside YOLOX, row for row', async (ctx) => {
    const datasets = requireDataset(ctx, '.');
    requireDataset(ctx, 'models/nanodet-m/nanodet_m_320.onnx');
    const crop: CropConfig = { crop: 'letterbox', size: 64, context: 0.1 };
    const jobs = subset(await allImageJobs(datasets)).slice(0, 30);
    const cache = join(tmp.dir, 'nd');
    const nanodet = await extractFeatures(jobs, crop, await ensureExtractor(datasets, cache, 'nanodet', 64), cache);
    const yolox = await extractFeatures(jobs, crop, await ensureExtractor(datasets, cache, 'yolox'), cache);
    expect(nanodet.dim).toBe(2206);
    expect(nanodet.features.every(Number.isFinite)).toBe(true);
    // Crops differ, so the pooled features do: a cut that ignored its input would give one row.
    expect(new Set([0, 1, 2].map((r) => nanodet.features[r * nanodet.dim]))).toHaveLength(3);
    const both = joinTables(yolox, nanodet);
    expect(both.dim).toBe(1286 + 2206);
    const r = 5;
    expect([...both.features.subarray(r * both.dim, r * both.dim + 1286)]).toEqual([
      ...yolox.features.subarray(r * 1286, (r + 1) * 1286),
    ]);
    expect([...both.features.subarray(r * both.dim + 1286, (r + 1) * both.dim)]).toEqual([
      ...nanodet.features.subarray(r * 2206, (r + 1) * 2206),
    ]);
    const shorter = { ...nanodet, sample: nanodet.sample.subarray(1) };
    expect(() => joinTables(yolox, shorter)).toThrow(/same rows/);
  }, 240_000);
});
