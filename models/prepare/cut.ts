import {
  IDENTITY_RGB,
  PatchSampler,
  loadRgbFrame,
  slotQuad,
  type Detection,
  type PixelPolygon,
  type Quad,
  type RgbFrame,
} from '../../edge/vision/index.ts';
import { backgroundPolygons, readMask } from './backgrounds.ts';
import type { CutJob } from './sources.ts';
import { jitterQuad } from './jitter.ts';

export interface CutOptions {
  /** Patch side in pixels: the model's input width and height. */
  size: number;
  /** The manifest's `classifier.expand`, applied exactly as at inference. */
  expand: number;
  /** Extra jittered cuts per slot, by group prefix (`cnrpark`, `ufpr05`, `roboflow`). */
  jitter: Readonly<Record<string, number>>;
  /** Background ("free", not a slot) cuts per full frame, by group prefix; see backgrounds.ts. */
  backgrounds?: Readonly<Record<string, number>>;
  /** Vehicle detector used to keep background cuts off unlabelled cars. */
  detect?: (frame: RgbFrame) => Promise<Detection[]>;
}

export interface CutPatch {
  group: string;
  ref: string;
  label: 0 | 1;
  /** 0 = the production cut; 1… = jittered. */
  variant: number;
  /** 3 × size × size bytes, RGB planes (NCHW), rounded from the warp's float output. */
  pixels: Uint8Array;
}

/**
 * Cuts the patches of one job with the production code path: `slotQuad(polygon, expand)` and
 * `PatchSampler.sample` (mip level choice and bilinear warp), into raw RGB floats rounded to bytes.
 */
export async function cutJob(job: CutJob, opts: CutOptions, random: () => number): Promise<CutPatch[]> {
  const frame = await loadRgbFrame(job.image);
  const sampler = new PatchSampler();
  sampler.begin(frame);
  const plane = opts.size * opts.size;
  const buffer = new Float32Array(3 * plane);
  const target = { data: buffer, offset: 0, width: opts.size, height: opts.size };
  const family = job.group.split('/')[0]!;
  const extra = opts.jitter[family] ?? 0;
  const out: CutPatch[] = [];
  for (const slot of job.slots) {
    const base: Quad =
      slot.polygon === 'full'
        ? [
            [0, 0],
            [frame.width, 0],
            [frame.width, frame.height],
            [0, frame.height],
          ]
        : slotQuad(slot.polygon, opts.expand);
    for (let variant = 0; variant <= extra; variant++) {
      const quad = variant === 0 ? base : jitterQuad(base, random);
      sampler.sample(quad, target, IDENTITY_RGB);
      out.push({ group: job.group, ref: slot.ref, label: slot.occupied ? 1 : 0, variant, pixels: toBytes(buffer) });
    }
  }
  const backgrounds = opts.backgrounds?.[family] ?? 0;
  const labelled = job.slots.filter((s) => s.polygon !== 'full') as { polygon: PixelPolygon; occupied: boolean }[];
  if (backgrounds > 0 && labelled.length > 0) {
    const polygons = backgroundPolygons(frame, labelled, {
      count: backgrounds,
      expand: opts.expand,
      random,
      vehicles: opts.detect ? await opts.detect(frame) : undefined,
      carMask: job.mask ? await readMask(job.mask) : undefined,
    });
    polygons.forEach((polygon, k) => {
      sampler.sample(polygon as Quad, target, IDENTITY_RGB);
      out.push({ group: job.group, ref: `background#${k}`, label: 0, variant: 0, pixels: toBytes(buffer) });
    });
  }
  return out;
}

export function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i]!); // bilinear of bytes stays in 0–255
  return out;
}
