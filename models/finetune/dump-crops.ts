/**
 * Writes every crop that the feature head trains on (clean and augmented, as `models:loco` cuts them)
 * to one file under the cache, for the backbone fine-tune in torch (`models/finetune/finetune.py`).
 *
 *   npx tsx models/finetune/dump-crops.ts [--config letterbox-64-c0.1] [--seed 1]
 *
 * Two files in `$VOLNO_CACHE/features`: `crops-<config>-s<seed>.pixels`, rows × 3 × size × size uint8
 * (NCHW, BGR, rounded and clamped), and `crops-<config>-s<seed>.bin`, one JSON line ({rows, size,
 * pixels, samples: [[group, occupied, frame, holdout, slot], …]}) then rows int32 sample indices and rows
 * uint8 augmented flags. Not in the repo: both are derived from ../shared/datasets.
 */
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { configKey, cropBatches, parseCropConfig } from '../features/extract.ts';
import { allImageJobs } from '../features/samples.ts';
import { cacheRoot, datasetsRoot } from '../paths.ts';
import { HOLDOUT } from '../prepare/sources.ts';

const { values } = parseArgs({
  options: { config: { type: 'string', default: 'letterbox-64-c0.1' }, seed: { type: 'string', default: '1' } },
});
const c = parseCropConfig(values.config!);
const seed = Number(values.seed);
const jobs = await allImageJobs(datasetsRoot());
const samples = jobs.flatMap((j) => j.samples);
// Which slot of its camera each sample is, for per-slot probes: CNRPark names the slot in the patch's
// file name (…_18.jpg); a frame's polygons keep their order from frame to frame (UFPR05, Roboflow).
const slotKeys = jobs.flatMap((j) =>
  j.samples.map((s, k) => (s.polygon === 'full' ? basename(s.image).replace(/^.*_|\.[a-z]+$/gi, '') : `#${k}`)),
);
const file = join(cacheRoot(), 'features', `crops-${configKey(c)}-s${seed}.bin`);
const pixels = join(cacheRoot(), 'features', `crops-${configKey(c)}-s${seed}.pixels`);
const out = await open(pixels, 'w');
const sampleIdx: number[] = [];
const augmented: number[] = [];
for await (const batch of cropBatches(jobs, c, seed)) {
  const bytes = new Uint8Array(batch.input.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(batch.input[i]!)));
  await out.write(bytes);
  for (const m of batch.meta) {
    sampleIdx.push(m.sample);
    augmented.push(m.augmented ? 1 : 0);
  }
}
await out.close();
const meta = await open(file, 'w');
await meta.write(
  JSON.stringify({
    rows: sampleIdx.length,
    size: c.size,
    pixels,
    samples: samples.map((s, i) => [
      s.group,
      s.occupied ? 1 : 0,
      s.frame,
      HOLDOUT.some((h) => s.image.includes(`/${h}/`)) ? 1 : 0,
      slotKeys[i],
    ]),
  }) + '\n',
);
await meta.write(Buffer.from(Int32Array.from(sampleIdx).buffer));
await meta.write(Uint8Array.from(augmented));
await meta.close();
console.log(JSON.stringify({ file, pixels, rows: sampleIdx.length }));
