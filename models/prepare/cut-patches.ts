/**
 * Cuts every training patch with the production warp into a cache folder for the Python trainer.
 *
 *   npx tsx models/prepare/cut-patches.ts [--size 48] [--expand 0.1] [--out DIR] [--seed 1]
 *
 * Writes DIR/patches.u8 (N × 3 × size × size bytes, RGB, NCHW) and DIR/index.json (one entry per
 * patch: group, ref, label, variant). DIR defaults to $VOLNO_CACHE/patches-<size>-e<expand>.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOccupancyModel, type DetectorModel, type RgbFrame } from '../../edge/vision/index.ts';
import { installDetector } from '../detectors/install.ts';
import { cacheRoot, datasetsRoot } from '../paths.ts';
import { CacheWriter } from './cache.ts';
import { cutJob } from './cut.ts';
import { rng } from './jitter.ts';
import { HOLDOUT, trainingJobs } from './sources.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '48' },
    expand: { type: 'string', default: '0.1' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'jitter-cnrpark': { type: 'string', default: '1' },
    'jitter-ufpr05': { type: 'string', default: '8' },
    'jitter-roboflow': { type: 'string', default: '1' },
    'backgrounds-ufpr05': { type: 'string', default: '20' },
    'backgrounds-roboflow': { type: 'string', default: '4' },
  },
});
const size = Number(values.size);
const expand = Number(values.expand);
const out = values.out ?? join(cacheRoot(), `patches-${size}-e${expand}`);
const jitter = {
  cnrpark: Number(values['jitter-cnrpark']),
  ufpr05: Number(values['jitter-ufpr05']),
  roboflow: Number(values['jitter-roboflow']),
};
const seed = Number(values.seed);

const backgrounds = { ufpr05: Number(values['backgrounds-ufpr05']), roboflow: Number(values['backgrounds-roboflow']) };
// YOLOX-Nano keeps background cuts off cars nobody labelled (Roboflow labels only cars in stalls).
const yolox = join(datasetsRoot(), 'models/yolox-nano/yolox_nano.onnx');
const detector = (await loadOccupancyModel(
  await installDetector('yolox-nano', yolox, { out: join(out, 'yolox-nano'), link: true }),
)) as DetectorModel;
const detect = (frame: RgbFrame) => detector.detect(frame);
const jobs = await trainingJobs(datasetsRoot());
const writer = new CacheWriter(out, size);
await writer.start();
const started = performance.now();
// Decoding overlaps across a few jobs; patches are written in job order so the cache is deterministic.
const CONCURRENCY = 4;
for (let i = 0; i < jobs.length; i += CONCURRENCY) {
  const batch = await Promise.all(
    jobs
      .slice(i, i + CONCURRENCY)
      // One PRNG per job, so the cache does not depend on which decode finishes first.
      .map((job, k) => cutJob(job, { size, expand, jitter, backgrounds, detect }, rng(seed * 1_000_003 + i + k))),
  );
  for (const patches of batch) for (const patch of patches) await writer.add(patch);
  if (process.stderr.isTTY && i % 400 === 0) process.stderr.write(`\r${i}/${jobs.length} images`);
}
await detector.close();
const items = await writer.finish({ expand, seed, jitter, backgrounds, holdout: HOLDOUT });
const byGroup = new Map<string, number>();
for (const it of items) byGroup.set(it.group, (byGroup.get(it.group) ?? 0) + 1);
console.log(
  JSON.stringify({
    out,
    count: items.length,
    seconds: +((performance.now() - started) / 1000).toFixed(1),
    groups: Object.fromEntries(byGroup),
  }),
);
