import { area, type Point, type Polygon } from '../../protocol/geometry.ts';
import type { CalibrationDocument } from '../document/schema.ts';
import { frameOf, toPixels } from '../document/frame.ts';
import type { Finding, ModelInput, Thresholds } from './types.ts';

/** Width and height in pixels of the patch the agent cuts out of the frame for this outline. */
export function patchSize(pixels: readonly Point[]): { width: number; height: number } {
  if (pixels.length !== 4) {
    // The agent reduces other outlines to an enclosing quad; a square of equal area is close enough to warn.
    const side = Math.sqrt(area(pixels));
    return { width: side, height: side };
  }
  const len = (i: number) => {
    const a = pixels[i]!;
    const b = pixels[(i + 1) % 4]!;
    return { len: Math.hypot(b[0] - a[0], b[1] - a[1]), flat: Math.abs(b[0] - a[0]) };
  };
  const [e0, e1, e2, e3] = [len(0), len(1), len(2), len(3)];
  // The warp keeps the slot upright (edge/vision/quad.ts): the more horizontal pair of opposite
  // edges becomes the patch's top and bottom, the other pair its sides.
  const pairA = { len: (e0.len + e2.len) / 2, flat: (e0.flat + e2.flat) / (e0.len + e2.len || 1) };
  const pairB = { len: (e1.len + e3.len) / 2, flat: (e1.flat + e3.flat) / (e1.len + e3.len || 1) };
  return pairA.flat >= pairB.flat ? { width: pairA.len, height: pairB.len } : { width: pairB.len, height: pairA.len };
}

/**
 * How many times the slot is enlarged to fill the model input along its worse axis. A slot smaller
 * than the input is enlarged by bilinear sampling, which adds no detail: the classifier then sees a blur.
 */
export function upsampleFactor(polygon: Polygon, frame: { width: number; height: number }, model: ModelInput): number {
  return enlargement(patchSize(toPixels(polygon, frame)), model);
}

const enlargement = (size: { width: number; height: number }, model: ModelInput): number =>
  Math.max(model.width / size.width, model.height / size.height);

export function checkModelSize(
  doc: CalibrationDocument,
  simpleSlots: ReadonlySet<number>,
  model: ModelInput,
  thresholds: Thresholds,
): Finding[] {
  const frame = frameOf(doc);
  return doc.slots.flatMap((slot, i): Finding[] => {
    if (!simpleSlots.has(i) || slot.closed === true) return [];
    const size = patchSize(toPixels(slot.polygon, frame));
    const factor = enlargement(size, model);
    const severity = factor > thresholds.error ? 'error' : factor > thresholds.warning ? 'warning' : null;
    if (!severity) return [];
    return [
      {
        code: 'too_small_for_model',
        severity,
        slots: [i],
        path: `/slots/${i}/polygon`,
        params: {
          width_px: Math.round(size.width),
          height_px: Math.round(size.height),
          input_width: model.width,
          input_height: model.height,
          factor: Math.round(factor * 10) / 10,
        },
      },
    ];
  });
}
