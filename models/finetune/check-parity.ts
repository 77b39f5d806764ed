/**
 * Runs crops through a (tuned) cut in onnxruntime-node and compares with the features torch computed
 * for them in `finetune.py --parity-out`: the graph torch trained is the graph the edge runs.
 *
 *   npx tsx models/finetune/check-parity.ts <cut.onnx> <parity.json>
 *
 * Exits 1 when any feature differs by more than 1e-3 relative to the features' scale.
 */
import { open, readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';

const [cut, parityFile] = process.argv.slice(2);
if (!cut || !parityFile) {
  console.error('usage: check-parity.ts <cut.onnx> <parity.json>');
  process.exit(2);
}
const parity = JSON.parse(await readFile(parityFile, 'utf8')) as { crops: string; rows: number[]; features: number[] };
const meta = await readFile(parity.crops);
const header = JSON.parse(meta.subarray(0, meta.indexOf(10)).toString()) as {
  size: number;
  pixels: string;
};
const plane = 3 * header.size * header.size;
const input = new Float32Array(parity.rows.length * plane);
const file = await open(header.pixels, 'r');
const bytes = new Uint8Array(plane);
for (const [i, r] of parity.rows.entries()) {
  await file.read(bytes, 0, plane, r * plane);
  for (let k = 0; k < plane; k++) input[i * plane + k] = bytes[k]!;
}
await file.close();
const session = await ort.InferenceSession.create(cut, { intraOpNumThreads: 1 });
const out = await session.run({
  images: new ort.Tensor('float32', input, [parity.rows.length, 3, header.size, header.size]),
});
const got = out.features_raw!.data as Float32Array;
await session.release();
let maxDiff = 0;
let scale = 0;
parity.features.forEach((f, i) => {
  maxDiff = Math.max(maxDiff, Math.abs(f - got[i]!));
  scale = Math.max(scale, Math.abs(f));
});
console.log(JSON.stringify({ cut, crops: parity.rows.length, max_abs_diff: maxDiff, max_abs_feature: scale }));
if (!(maxDiff <= 1e-3 * Math.max(1, scale))) process.exit(1);
