/**
 * Replays the patches train.py saved through onnxruntime-node and compares with torch's answers.
 *
 *   npx tsx models/train/check-parity.ts <model dir> <cache dir>
 *
 * Also loads the model the way the edge agent does (manifest validation, sha256, warm-up), so a
 * model that passes here is one the runtime accepts. Exits 1 when any probability differs by more
 * than 1e-4.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadOccupancyModel, modelFilePath, readManifest } from '../../edge/vision/index.ts';

const [modelDir, cacheDir] = process.argv.slice(2);
if (!modelDir || !cacheDir) {
  console.error('usage: check-parity.ts <model dir> <cache dir>');
  process.exit(2);
}
const manifest = await readManifest(modelDir);
const model = await loadOccupancyModel(modelDir);
await model.close();
const base = join(cacheDir, `parity-${manifest.id}`);
const meta = JSON.parse(await readFile(`${base}.json`, 'utf8')) as { count: number; size: number; p: number[] };
const raw = await readFile(`${base}.f32`);
const input = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const session = await ort.InferenceSession.create(modelFilePath(modelDir, manifest), { intraOpNumThreads: 1 });
const out = await session.run({
  [manifest.input.name]: new ort.Tensor('float32', input.slice(), [meta.count, 3, meta.size, meta.size]),
});
const got = out[manifest.classifier!.output]!.data as Float32Array;
await session.release();
let maxDiff = 0;
meta.p.forEach((p, i) => (maxDiff = Math.max(maxDiff, Math.abs(p - got[i]!))));
console.log(JSON.stringify({ model: manifest.id, patches: meta.count, max_abs_diff: maxDiff }));
if (!(maxDiff <= 1e-4)) process.exit(1);
