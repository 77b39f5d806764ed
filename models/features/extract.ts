import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  loadRgbFrame,
  PatchSampler,
  pixelMap,
  sha256,
  slotQuad,
  type Quad,
  type RgbFrame,
} from '../../edge/vision/index.ts';
import { cropPlan, fillPad, type CropMode, type CropPlan } from '../../edge/vision/crop.ts';
import { REPO_ROOT } from '../paths.ts';
import { jitterQuad, rng } from '../prepare/jitter.ts';
import { augmentCrop } from './augment.ts';
import type { ImageJob, LocoGroup } from './samples.ts';

/** How a slot becomes a crop: the candidates `models:loco` compares. */
export interface CropConfig {
  /** Input side in pixels (a multiple of 32 for the YOLOX cut). */
  readonly size: number;
  /** See `CropMode` in edge/vision/crop.ts. */
  readonly crop: CropMode;
  /** Context around the slot (fraction of its longer side, or of the quad for `quad`). */
  readonly context: number;
}

/** Augmented copies per labelled slot when it is used for training: few frames get more. */
export const AUGMENT_COPIES: Record<LocoGroup, number> = { 'cnrpark-A': 1, 'cnrpark-B': 1, ufpr05: 8, roboflow: 1 };

export interface FeatureTable {
  readonly dim: number;
  readonly features: Float32Array;
  /** Per row: index into the sample list (image order, then slot order) and whether it is augmented. */
  readonly sample: Int32Array;
  readonly augmented: Uint8Array;
}

export const configKey = (c: CropConfig): string => `${c.crop}-${c.size}-c${c.context}`;

/** Parses a {@link configKey} back (`letterbox-64-c0.1`); the CLIs take candidates this way. */
export function parseCropConfig(key: string): CropConfig {
  const m = /^(square|quad|letterbox)-(\d+)-c([\d.]+)$/.exec(key);
  if (!m) throw new Error(`bad crop config ${key}: want square|quad|letterbox-<size>-c<context>`);
  return { crop: m[1] as CropMode, size: Number(m[2]), context: Number(m[3]) };
}

/** The COCO detectors a feature extractor is cut from (`models/backbone/cut_*.py`). */
export const BACKBONES = ['yolox', 'nanodet'] as const;
export type Backbone = (typeof BACKBONES)[number];

/**
 * The pooled cut of `backbone` in `cacheDir`, made from the shared datasets' detector when absent.
 * YOLOX's cut takes any multiple of 32; NanoDet's export has literal shapes, so its cut is per size.
 */
export async function ensureExtractor(
  datasets: string,
  cacheDir: string,
  backbone: Backbone = 'yolox',
  size = 64,
): Promise<string> {
  const extractor = join(cacheDir, backbone === 'yolox' ? 'yolox-cut.onnx' : `nanodet-cut-${size}.onnx`);
  if (!existsSync(extractor)) {
    await mkdir(cacheDir, { recursive: true });
    const args =
      backbone === 'yolox'
        ? [
            join(REPO_ROOT, 'models/backbone/cut_yolox.py'),
            join(datasets, 'models/yolox-nano/yolox_nano.onnx'),
            extractor,
          ]
        : [
            join(REPO_ROOT, 'models/backbone/cut_nanodet.py'),
            join(datasets, 'models/nanodet-m/nanodet_m_320.onnx'),
            extractor,
            String(size),
          ];
    execFileSync('/usr/bin/python3', args);
  }
  return extractor;
}

/** Two feature tables of the same rows side by side (`a`'s columns first): two backbones read together. */
export function joinTables(a: FeatureTable, b: FeatureTable): FeatureTable {
  if (a.sample.length !== b.sample.length || a.sample.some((s, r) => s !== b.sample[r]))
    throw new Error('joinTables: the tables do not hold the same rows');
  const dim = a.dim + b.dim;
  const features = new Float32Array(a.sample.length * dim);
  for (let r = 0; r < a.sample.length; r++) {
    features.set(a.features.subarray(r * a.dim, (r + 1) * a.dim), r * dim);
    features.set(b.features.subarray(r * b.dim, (r + 1) * b.dim), r * dim + a.dim);
  }
  return { dim, features, sample: a.sample, augmented: a.augmented };
}

/** Where a crop comes from and lands; the runtime's `cropPlan` with the same settings. */
export function cropOf(polygon: ReadonlyArray<readonly [number, number]>, c: CropConfig): CropPlan {
  return cropPlan(polygon, c.crop, c.context, c.size, c.size);
}

const BATCH = 128;
const YOLOX_MAP = pixelMap('bgr', 1, [0, 0, 0], [1, 1, 1]);

/**
 * Features of every labelled slot (clean) and of `AUGMENT_COPIES` augmented cuts of it, through the
 * pooled YOLOX cut (`models/backbone/cut_yolox.py`). Cached per config under `cacheDir`; the same
 * seed gives the same rows, bit for bit.
 */
export async function extractFeatures(
  jobs: readonly ImageJob[],
  c: CropConfig,
  extractor: string,
  cacheDir: string,
  seed = 1,
): Promise<FeatureTable> {
  const tag = sha256(await readFile(extractor)).slice(0, 8);
  const file = join(cacheDir, `${configKey(c)}-s${seed}-${tag}.bin`);
  if (existsSync(file)) return readTable(file);
  const session = await ort.InferenceSession.create(extractor, { intraOpNumThreads: 1 });
  const rows: Float32Array[] = [];
  const sampleIdx: number[] = [];
  const aug: number[] = [];
  let dim = 0;
  for await (const batch of cropBatches(jobs, c, seed)) {
    const t = new ort.Tensor('float32', batch.input, [batch.meta.length, 3, c.size, c.size]);
    const out = (await session.run({ images: t })).features_raw!;
    dim = out.dims[1] as number;
    rows.push(new Float32Array(out.data as Float32Array));
    for (const m of batch.meta) {
      sampleIdx.push(m.sample);
      aug.push(m.augmented ? 1 : 0);
    }
  }
  await session.release();
  const n = sampleIdx.length;
  const features = new Float32Array(n * dim);
  let at = 0;
  for (const r of rows) {
    features.set(r, at);
    at += r.length;
  }
  const table = { dim, features, sample: Int32Array.from(sampleIdx), augmented: Uint8Array.from(aug) };
  await mkdir(cacheDir, { recursive: true });
  await writeTable(file, table);
  return table;
}

/** One batch of crops (NCHW, BGR 0–255) and, per crop, its sample index and whether it is augmented. */
export interface CropBatch {
  readonly input: Float32Array;
  readonly meta: readonly { sample: number; augmented: boolean }[];
}

/**
 * Every labelled slot of `jobs` cut as `c` (clean) and `AUGMENT_COPIES` augmented cuts of it, in a fixed
 * order: the rows of {@link extractFeatures} and of the backbone fine-tune (`models/finetune`). The same
 * seed gives the same crops, bit for bit.
 */
export async function* cropBatches(jobs: readonly ImageJob[], c: CropConfig, seed: number): AsyncGenerator<CropBatch> {
  const plane = 3 * c.size * c.size;
  let input = new Float32Array(BATCH * plane);
  let meta: { sample: number; augmented: boolean }[] = [];
  const random = rng(seed);
  const sampler = new PatchSampler();
  let donor: number | null = null;
  let index = 0;
  for (const job of jobs) {
    const frame: RgbFrame = await loadRgbFrame(job.image, 0);
    sampler.begin(frame);
    const full: Quad = [
      [0, 0],
      [frame.width, 0],
      [frame.width, frame.height],
      [0, frame.height],
    ];
    for (const s of job.samples) {
      const base: CropPlan = s.polygon === 'full' ? { quad: full } : cropOf(s.polygon, c);
      const copies = AUGMENT_COPIES[s.group];
      for (let k = 0; k <= copies; k++) {
        const augmented = k > 0;
        const fill = meta.length;
        const plan = augmented && s.polygon !== 'full' ? cropOf(jitterPolygon(s.polygon, random), c) : base;
        const target = { data: input, offset: fill * plane, width: c.size, height: c.size };
        if (plan.region) fillPad(target, YOLOX_MAP);
        sampler.sample(plan.quad, target, YOLOX_MAP, plan.region);
        if (augmented) {
          const d = donor !== null && donor !== fill ? { data: input, offset: donor * plane, size: c.size } : undefined;
          augmentCrop({ data: input, offset: fill * plane, size: c.size }, random, d);
        } else if (s.occupied) {
          donor = fill;
        }
        meta.push({ sample: index, augmented });
        if (meta.length === BATCH) {
          yield { input, meta };
          input = new Float32Array(BATCH * plane);
          meta = [];
          donor = null;
        }
      }
      index++;
    }
  }
  if (meta.length > 0) yield { input: input.subarray(0, meta.length * plane), meta };
}

/** A jittered polygon (as another calibration would draw it), via the quad jitter of SlotNet's recipe. */
function jitterPolygon(polygon: ReadonlyArray<readonly [number, number]>, random: () => number): [number, number][] {
  return jitterQuad(slotQuad(polygon, 0), random).map(([x, y]) => [x, y]);
}

async function writeTable(file: string, t: FeatureTable): Promise<void> {
  const n = t.sample.length;
  const header = Buffer.from(JSON.stringify({ dim: t.dim, rows: n }).padEnd(64, ' '));
  await writeFile(
    file,
    Buffer.concat([
      header,
      Buffer.from(t.features.buffer, t.features.byteOffset, t.features.byteLength),
      Buffer.from(t.sample.buffer, t.sample.byteOffset, t.sample.byteLength),
      Buffer.from(t.augmented.buffer, t.augmented.byteOffset, t.augmented.byteLength),
    ]),
  );
}

async function readTable(file: string): Promise<FeatureTable> {
  const buf = await readFile(file);
  const { dim, rows } = JSON.parse(buf.subarray(0, 64).toString()) as { dim: number; rows: number };
  const copy = (start: number, bytes: number) =>
    buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + bytes);
  const f = 64;
  const s = f + rows * dim * 4;
  const a = s + rows * 4;
  return {
    dim,
    features: new Float32Array(copy(f, rows * dim * 4)),
    sample: new Int32Array(copy(s, rows * 4)),
    augmented: new Uint8Array(copy(a, rows)),
  };
}
