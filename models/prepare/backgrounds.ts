import sharp from 'sharp';
import { containsPoint } from '../../protocol/index.ts';
import {
  mapPoint,
  slotQuad,
  squareToQuad,
  type Detection,
  type PixelPolygon,
  type Quad,
  type RgbFrame,
} from '../../edge/vision/index.ts';

export interface BackgroundOptions {
  count: number;
  expand: number;
  random: () => number;
  /** Vehicle boxes found by a generic detector; no background may touch one. */
  vehicles?: readonly Detection[];
  /** One byte per pixel, non-zero where a car is (UFPR05's segmentation masks). */
  carMask?: Uint8Array;
}

/**
 * "Free" examples that are not slots: slot-shaped quads moved to random places of a training frame
 * where no labelled car, no masked car and no detected vehicle is. Without them a model learns
 * "free" only from the few stall surfaces of its training lots and calls every unfamiliar texture
 * (kerbs, painted bars, stains, bushes, night) occupied, which is what leave-one-lot-out runs showed.
 */
export function backgroundPolygons(
  frame: RgbFrame,
  slots: ReadonlyArray<{ polygon: PixelPolygon; occupied: boolean }>,
  opts: BackgroundOptions,
): PixelPolygon[] {
  const occupied = slots.filter((s) => s.occupied).map((s) => s.polygon as [number, number][]);
  const templates = slots.map((s) => slotQuad(s.polygon, opts.expand));
  // Stay on the ground near the parking rows: the slots' bounding box grown by a quarter. Sky and
  // tree tops are easy negatives that teach nothing about asphalt, kerbs and markings.
  const all = templates.flat();
  const [minX, maxX] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [minY, maxY] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const area = {
    x0: Math.max(0, minX - (maxX - minX) / 4),
    x1: Math.min(frame.width, maxX + (maxX - minX) / 4),
    y0: Math.max(0, minY - (maxY - minY) / 4),
    y1: Math.min(frame.height, maxY + (maxY - minY) / 4),
  };
  const out: PixelPolygon[] = [];
  for (let attempt = 0; attempt < opts.count * 40 && out.length < opts.count && templates.length > 0; attempt++) {
    const t = templates[Math.floor(opts.random() * templates.length)]!;
    const xs = t.map((p) => p[0]);
    const ys = t.map((p) => p[1]);
    const w = Math.max(...xs) - Math.min(...xs);
    const h = Math.max(...ys) - Math.min(...ys);
    if (w >= area.x1 - area.x0 || h >= area.y1 - area.y0) continue;
    const dx = area.x0 + opts.random() * (area.x1 - area.x0 - w) - Math.min(...xs);
    const dy = area.y0 + opts.random() * (area.y1 - area.y0 - h) - Math.min(...ys);
    const quad = t.map(([x, y]) => [x + dx, y + dy] as [number, number]) as unknown as Quad;
    if (clear(frame, quad, occupied, opts)) out.push(quad);
  }
  return out;
}

/** Checks a 7×7 grid of points of the quad: no car there, and not the black fill of a rotated image. */
function clear(frame: RgbFrame, quad: Quad, occupied: [number, number][][], opts: BackgroundOptions): boolean {
  const m = squareToQuad(quad);
  let black = 0;
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 7; j++) {
      const [x, y] = mapPoint(m, (j + 0.5) / 7, (i + 0.5) / 7);
      if (occupied.some((p) => containsPoint(p, [x, y]))) return false;
      if (opts.vehicles?.some((d) => x >= d.x1 - 8 && x <= d.x2 + 8 && y >= d.y1 - 8 && y <= d.y2 + 8)) return false;
      const k =
        Math.min(frame.height - 1, Math.max(0, Math.floor(y))) * frame.width +
        Math.min(frame.width - 1, Math.max(0, Math.floor(x)));
      if (opts.carMask && opts.carMask[k]! > 0) return false;
      if (frame.data[3 * k]! + frame.data[3 * k + 1]! + frame.data[3 * k + 2]! < 6) black++;
    }
  }
  return black < 5;
}

/** Reads a segmentation mask PNG to one byte per pixel (its first channel). */
export async function readMask(path: string): Promise<Uint8Array> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(info.width * info.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels]!;
  return out;
}
