/**
 * Builds the shipped feature classifier from the choice `models:loco` made: fits the generic head on
 * every camera group, calibrates it on the leave-one-camera-out predictions, and writes the model
 * folder (ONNX, manifest, head, training log).
 *
 *   npx tsx models/build.ts --config letterbox-64-c0.1 --columns all --l2 0.1 --id volno-yolox-slot-v1
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sha256 } from '../edge/vision/index.ts';
import { configKey, ensureExtractor, extractFeatures, parseCropConfig } from './features/extract.ts';
import { calibrate } from './features/calibrate.ts';
import { fitGeneric, runLoco, type HeadConfig } from './features/loco.ts';
import { HOLDOUT } from './prepare/sources.ts';
import { allImageJobs } from './features/samples.ts';
import { cacheRoot, datasetsRoot, MODELS_DIR, REPO_ROOT } from './paths.ts';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'letterbox-64-c0.1' },
    columns: { type: 'string', default: 'all' },
    l2: { type: 'string', default: '0.1' },
    id: { type: 'string', default: 'volno-yolox-slot-v1' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const crop = parseCropConfig(values.config!);
const head: HeadConfig = { columns: values.columns as HeadConfig['columns'], l2: Number(values.l2) };
const id = values.id!;
const out = values.out ?? join(MODELS_DIR, id);
const datasets = datasetsRoot();
const cache = join(cacheRoot(), 'features');
const extractor = await ensureExtractor(datasets, cache);
const jobs = await allImageJobs(datasets);
const samples = jobs.flatMap((j) => j.samples);
const table = await extractFeatures(jobs, crop, extractor, cache, Number(values.seed));
// Leave-one-camera-out once more, for the model card and to calibrate on cameras the head never saw.
// (With labelled frames it is `models:loco --adapt-frames K`; here only the generic head is needed.)
const folds = runLoco(table, samples, head, null);
const cal = calibrate(folds);
// The shipped head never reads the held-out sets, so `volno eval` on them stays a fair comparison.
const generic = fitGeneric(table, samples, head, null, (s) => HOLDOUT.some((h) => s.image.includes(`/${h}/`)));
await mkdir(out, { recursive: true });
const headJson = {
  columns: generic.columns,
  mean: generic.columns.map((j) => generic.standardizer.mean[j]),
  std: generic.columns.map((j) => generic.standardizer.std[j]),
  weights: [...generic.head.weights].map((w) => cal.scale * w),
  bias: cal.scale * generic.head.bias,
};
const tmpHead = join(cache, `${id}-head-full.json`);
await writeFile(tmpHead, JSON.stringify(headJson));
execFileSync('/usr/bin/python3', [
  join(REPO_ROOT, 'models/backbone/build_model.py'),
  extractor,
  tmpHead,
  join(out, 'model.onnx'),
]);
await writeFile(
  join(out, 'head.json'),
  JSON.stringify({ weights: headJson.weights.map((w) => Number(w.toPrecision(9))), bias: headJson.bias }) + '\n',
);
const manifest = {
  schema_version: 1,
  id,
  kind: 'classifier',
  description:
    'Volno feature classifier: COCO-pretrained YOLOX-Nano backbone, pooled per slot, and a linear head trained on four cameras; see MODEL_CARD.md.',
  file: 'model.onnx',
  sha256: sha256(await readFile(join(out, 'model.onnx'))),
  input: {
    name: 'images',
    width: crop.size,
    height: crop.size,
    layout: 'NCHW',
    pixel_format: 'bgr',
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  },
  labels: ['occupied'],
  threshold: 0.5,
  classifier: {
    output: 'p_occupied',
    activation: 'none',
    occupied_index: 0,
    expand: crop.context,
    crop: crop.crop,
    uncertain: cal.band,
    features: { output: 'features', dim: generic.columns.length, head_file: 'head.json' },
  },
  source: 'built by models/build.ts from YOLOX-Nano (Megvii, Apache-2.0) and ../shared/datasets (see MODEL_CARD.md)',
  license:
    'backbone weights: Apache-2.0 (Megvii YOLOX-Nano); head: MIT (Volno); training data: CNRPark (ISTI-CNR), PKLot CC BY 4.0, Roboflow parking-space-uffuo v22 CC BY 4.0',
};
await writeFile(join(out, 'model.json'), JSON.stringify(manifest, null, 2) + '\n');
await writeFile(
  join(out, 'training-log.json'),
  JSON.stringify(
    {
      id,
      crop: configKey(crop),
      head,
      seed: Number(values.seed),
      rows: table.sample.length,
      dim: table.dim,
      holdout: HOLDOUT,
      calibration: cal,
      loco: folds.map((f) => ({ group: f.group, ...f.generic })),
    },
    null,
    2,
  ) + '\n',
);
// The house JSON style, so a rebuild diffs cleanly.
execFileSync(process.execPath, [
  join(REPO_ROOT, 'node_modules/prettier/bin/prettier.cjs'),
  '--write',
  '--log-level',
  'warn',
  out,
]);
console.log(JSON.stringify({ out, sha256: manifest.sha256, rows: table.sample.length }));
