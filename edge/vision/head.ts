import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { VisionError } from './errors.ts';
import type { ModelManifest } from './manifest.ts';

/** The linear head a feature classifier ships with: p = σ(features · weights + bias). */
export interface LinearHead {
  readonly weights: Float64Array;
  readonly bias: number;
}

/**
 * Reads the generic head named by `classifier.features.head_file`, the starting point of a per-camera
 * head. Null for models without features. Refuses a head whose length or numbers do not fit.
 */
export async function readGenericHead(modelDir: string, manifest: ModelManifest): Promise<LinearHead | null> {
  const spec = manifest.classifier?.features;
  if (!spec) return null;
  const path = isAbsolute(spec.head_file) ? spec.head_file : join(modelDir, spec.head_file);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new VisionError('VOLNO_MODEL_MANIFEST_INVALID', `cannot read the head file ${path}`, [], { cause });
  }
  const v = value as { weights?: unknown; bias?: unknown };
  const weights = Array.isArray(v.weights) ? v.weights : [];
  if (weights.length !== spec.dim || !weights.every(Number.isFinite) || !Number.isFinite(v.bias)) {
    throw new VisionError(
      'VOLNO_MODEL_MANIFEST_INVALID',
      `${path}: want { weights: ${spec.dim} finite numbers, bias: a finite number }`,
    );
  }
  return { weights: Float64Array.from(weights as number[]), bias: v.bias as number };
}
