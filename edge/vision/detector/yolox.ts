import type { DecodeParams, Detection } from './types.ts';

/**
 * Decodes YOLOX's raw head `[1, Σ cells, 5 + classes]` (export without `decode_in_inference`): per
 * cell `(x, y, log w, log h, objectness, class scores…)`, cells row-major per stride, strides in
 * order. Box centre = (cell + offset) · stride, size = exp(·) · stride, as in YOLOX's
 * `YOLOXHead.decode_outputs` and its ONNX demo. Objectness and class scores are already sigmoid-ed
 * in this export (checked on the shared file: all in [0, 1]). Boxes stay in input pixels.
 */
export function decodeYolox(data: Float32Array, dims: readonly number[], p: DecodeParams): Detection[] {
  const cells = dims[1]!;
  const width = dims[2]!;
  let expected = 0;
  for (const s of p.strides) expected += Math.ceil(p.inputHeight / s) * Math.ceil(p.inputWidth / s);
  if (cells !== expected)
    throw new Error(`YOLOX output has ${cells} cells; strides ${p.strides.join('/')} give ${expected}`);
  const out: Detection[] = [];
  let row = 0;
  for (const stride of p.strides) {
    const gw = Math.ceil(p.inputWidth / stride);
    const gh = Math.ceil(p.inputHeight / stride);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++, row++) {
        const at = row * width;
        const objectness = data[at + 4]!;
        if (objectness < p.scoreThreshold) continue; // score = obj · cls ≤ obj
        let best = -1;
        let bestScore = 0;
        for (const c of p.vehicleClasses) {
          const s = objectness * data[at + 5 + c]!;
          if (s > bestScore) {
            bestScore = s;
            best = c;
          }
        }
        if (best < 0 || bestScore < p.scoreThreshold) continue;
        const cx = (data[at]! + gx) * stride;
        const cy = (data[at + 1]! + gy) * stride;
        const w = Math.exp(data[at + 2]!) * stride;
        const h = Math.exp(data[at + 3]!) * stride;
        out.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score: bestScore, classId: best });
      }
    }
  }
  return out;
}
