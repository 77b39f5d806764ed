/**
 * SlotNet's P(occupied) for the clean CNRPark patches of one camera, from the patch cache that
 * `models/prepare/cut-patches.ts` writes, for `probe_heads.py fuse` (feature head and SlotNet, mean logit).
 *
 *   npx tsx models/finetune/slotnet-probs.ts --cache DIR --group cnrpark/B --model DIR --out probs.json
 *
 * `--model` is a SlotNet trained without that camera (`models/train/train.py --exclude-groups cnrpark/B`).
 * Writes {"<frame>_<slot>": p}, keyed as the CNRPark file names are (20150708_0805_18).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { loadOccupancyModel, modelFilePath, readManifest } from '../../edge/vision/index.ts';

const { values } = parseArgs({
  options: {
    cache: { type: 'string' },
    group: { type: 'string', default: 'cnrpark/B' },
    model: { type: 'string' },
    out: { type: 'string' },
  },
});
if (!values.cache || !values.model || !values.out) {
  console.error('usage: slotnet-probs.ts --cache DIR --group cnrpark/B --model DIR --out FILE');
  process.exit(2);
}
const index = JSON.parse(await readFile(join(values.cache, 'index.json'), 'utf8')) as {
  size: number;
  items: { group: string; ref: string; variant: number }[];
};
const raw = await readFile(join(values.cache, 'patches.u8'));
const manifest = await readManifest(values.model);
await (await loadOccupancyModel(values.model)).close(); // refuses what the agent would refuse
const { scale, mean, std, pixel_format: format, name } = manifest.input;
if (format !== 'rgb') throw new Error('the patch cache holds RGB planes; this model wants ' + format);
const spec = manifest.classifier!;
if (spec.activation !== 'none') throw new Error('expects a model that outputs probabilities (SlotNet)');
const session = await ort.InferenceSession.create(modelFilePath(values.model, manifest), { intraOpNumThreads: 1 });
const side = index.size;
const plane = side * side;
const picked = index.items.flatMap((it, k) => (it.group === values.group && it.variant === 0 ? [k] : []));
const out: Record<string, number> = {};
for (let i = 0; i < picked.length; i += 256) {
  const batch = picked.slice(i, i + 256);
  const input = new Float32Array(batch.length * 3 * plane);
  batch.forEach((k, j) => {
    for (let c = 0; c < 3; c++)
      for (let q = 0; q < plane; q++) {
        const at = (j * 3 + c) * plane + q;
        input[at] = (raw[(k * 3 + c) * plane + q]! * scale - mean[c]!) / std[c]!;
      }
  });
  const result = await session.run({ [name]: new ort.Tensor('float32', input, [batch.length, 3, side, side]) });
  const p = result[spec.output]!.data as Float32Array;
  const width = p.length / batch.length;
  const at = width === 1 ? 0 : spec.occupied_index;
  batch.forEach((k, j) => (out[basename(index.items[k]!.ref).replace(/\.[a-z]+$/i, '')] = p[j * width + at]!));
}
await session.release();
await writeFile(values.out, JSON.stringify(out));
console.log(JSON.stringify({ out: values.out, patches: picked.length }));
