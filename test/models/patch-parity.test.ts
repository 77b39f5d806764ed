import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifierModel } from '../../edge/vision/index.ts';
import { loadOccupancyModel, loadRgbFrame, type ModelManifest } from '../../edge/vision/index.ts';
import { CacheWriter } from '../../models/prepare/cache.ts';
import { cutJob } from '../../models/prepare/cut.ts';
import { rng } from '../../models/prepare/jitter.ts';
import { frameJobs } from '../../models/prepare/sources.ts';
import { datasetsDir, requireDataset, type SkippableContext } from '../support/datasets.ts';
import { REPO, SHIPPED_MODEL, tempDir } from '../vision/helpers.ts';

const PYTHON = '/usr/bin/python3';

/** Debian's python3 with numpy is what trains; without it the test skips locally and fails in CI. */
function requireNumpy(ctx: SkippableContext): void {
  const r = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (r.status === 0) return;
  const note = `${PYTHON} with numpy is needed (apt-get install python3-numpy)`;
  if (process.env.CI === 'true') throw new Error(note);
  console.warn(`[skip] ${note}`);
  ctx.skip(note);
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
let manifest: ModelManifest;
beforeAll(async () => {
  tmp = await tempDir();
  manifest = JSON.parse(await readFile(join(SHIPPED_MODEL, 'model.json'), 'utf8')) as ModelManifest;
});
afterAll(async () => {
  await tmp.remove();
});

describe('training patches', () => {
  it('are what the runtime feeds the model: Python reads the TypeScript warp back to within byte rounding', async (ctx) => {
    requireNumpy(ctx);
    requireDataset(ctx, 'pklot-ufpr05/sequence2/frames');
    const size = manifest.input.width;
    const expand = manifest.classifier!.expand;
    // Two real UFPR05 frames through the cache writer the training pipeline uses (production cuts only).
    const jobs = (await frameJobs(datasetsDir(), 'pklot-ufpr05/sequence2', () => 'ufpr05/sequence2')).slice(0, 2);
    const writer = new CacheWriter(join(tmp.dir, 'cache'), size);
    await writer.start();
    for (const job of jobs)
      for (const p of await cutJob(job, { size, expand, jitter: {} }, rng(1))) await writer.add(p);
    const items = await writer.finish({ expand, seed: 1, jitter: {}, holdout: [] });
    expect(items).toHaveLength(80);

    const dump = join(tmp.dir, 'dump.f32');
    const py = spawnSync(PYTHON, [join(REPO, 'models/train/volno_data.py'), join(tmp.dir, 'cache'), '--dump', dump], {
      encoding: 'utf8',
    });
    expect(py.stderr).toBe('');
    const norm = JSON.parse(py.stdout) as { scale: number; mean: number[]; std: number[] };
    // The trainer's normalisation is the manifest's, so onnxruntime sees what torch saw.
    expect(norm.scale).toBeCloseTo(manifest.input.scale, 12);
    expect(norm.mean).toEqual(manifest.input.mean);
    expect(norm.std).toEqual(manifest.input.std);
    const raw = await readFile(dump);
    const trained = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);

    // The production path: the shipped model's own prepare() (slotQuad, mip level, warp, normalise).
    const model = (await loadOccupancyModel(SHIPPED_MODEL)) as ClassifierModel;
    const patch = 3 * size * size;
    const tolerance = (0.5 * manifest.input.scale) / Math.min(...manifest.input.std) + 1e-5;
    let k = 0;
    let maxDiff = 0;
    for (const job of jobs) {
      const frame = await loadRgbFrame(job.image);
      const polygons = job.slots.map((s) => s.polygon as [number, number][]);
      const live = model.preparedInput(model.prepare(frame, polygons));
      for (let i = 0; i < live.length; i++) maxDiff = Math.max(maxDiff, Math.abs(live[i]! - trained[k * patch + i]!));
      k += polygons.length;
    }
    await model.close();
    expect(k * patch).toBe(trained.length);
    expect(maxDiff).toBeLessThanOrEqual(tolerance);
  });
});
