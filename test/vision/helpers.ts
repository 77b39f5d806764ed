import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256, type ModelManifest, type RgbFrame } from '../../edge/vision/index.ts';
import { DETECTORS } from '../../models/detectors/manifests.ts';
import { datasetsDir } from '../support/datasets.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The classifier this repo ships; tests use the real file. */
export const SHIPPED_MODEL = resolve(REPO, 'models', 'volno-slotnet-v1');

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'volno-vision-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Copies the shipped classifier into `dir`, with its manifest edited by `edit`. */
export async function shippedModelCopy(dir: string, edit: (m: ModelManifest) => unknown = (m) => m): Promise<string> {
  const manifest = JSON.parse(await readFile(join(SHIPPED_MODEL, 'model.json'), 'utf8')) as ModelManifest;
  await copyFile(join(SHIPPED_MODEL, manifest.file), join(dir, manifest.file));
  await writeFile(join(dir, 'model.json'), JSON.stringify(edit(manifest)));
  return dir;
}

/** Writes a detector manifest into `dir` that points at the shared dataset's ONNX file (nothing copied). */
export async function detectorDir(
  dir: string,
  kind: 'yolox-nano' | 'nanodet-m',
  onnx: string,
  size: 320 | 416 = 416,
): Promise<string> {
  const digest = sha256(await readFile(onnx));
  const manifest = kind === 'yolox-nano' ? DETECTORS[kind](onnx, digest) : DETECTORS[kind](onnx, digest, size);
  await writeFile(join(dir, 'model.json'), JSON.stringify(manifest));
  return dir;
}

export const datasetPath = (rel: string) => resolve(datasetsDir(), rel);

export function greyFrame(width: number, height: number, value = 128): RgbFrame {
  return { width, height, data: new Uint8Array(width * height * 3).fill(value), capturedAt: 0 };
}
