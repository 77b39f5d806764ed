import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { VisionError } from './errors.ts';
import type { ModelManifest } from './manifest.ts';

export interface SessionOptions {
  /**
   * Threads for one inference. Set explicitly: onnxruntime-node's default used one core on the
   * 2-core dev box and two threads doubled throughput (shared/STACK.md). Default 1, because an
   * agent usually runs several cameras and should not oversubscribe the box.
   */
  intraOpNumThreads?: number;
  /** Compare the file with the manifest's sha256 before loading (default true). */
  verifyChecksum?: boolean;
}

/** Absolute path of the manifest's ONNX file. */
export function modelFilePath(modelDir: string, manifest: ModelManifest): string {
  return isAbsolute(manifest.file) ? manifest.file : resolve(modelDir, manifest.file);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads the file once (so the bytes hashed are the bytes loaded), checks its digest and input
 * contract, and returns an onnxruntime session. Shape problems are reported together.
 */
export async function openSession(
  modelDir: string,
  manifest: ModelManifest,
  opts: SessionOptions = {},
): Promise<ort.InferenceSession> {
  const path = modelFilePath(modelDir, manifest);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new VisionError('VOLNO_MODEL_NOT_FOUND', `model ${manifest.id}: cannot read ${path}`, [], { cause });
  }
  if (opts.verifyChecksum !== false) {
    const actual = sha256(bytes);
    if (actual !== manifest.sha256) {
      throw new VisionError(
        'VOLNO_MODEL_CHECKSUM',
        `model ${manifest.id}: ${path} has sha256 ${actual}, the manifest expects ${manifest.sha256}`,
      );
    }
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: opts.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Third-party exports (NanoDet) warn once per initializer listed as a graph input.
      logSeverityLevel: 3,
    });
  } catch (cause) {
    throw new VisionError('VOLNO_MODEL_LOAD_FAILED', `model ${manifest.id}: onnxruntime cannot load ${path}`, [], {
      cause,
    });
  }
  const issues = inputIssues(session, manifest);
  const outputs = manifest.classifier ? [manifest.classifier.output] : (manifest.detector?.outputs ?? []);
  for (const name of outputs) {
    if (!session.outputNames.includes(name)) {
      issues.push(`output "${name}": not in the graph (it has ${session.outputNames.join(', ')})`);
    }
  }
  if (issues.length > 0) {
    await session.release().catch(() => undefined);
    throw new VisionError('VOLNO_MODEL_SHAPE_MISMATCH', `model ${manifest.id} does not match its manifest`, issues);
  }
  return session;
}

function inputIssues(session: ort.InferenceSession, m: ModelManifest): string[] {
  const meta = session.inputMetadata.find((i) => i.name === m.input.name);
  if (!meta) return [`input "${m.input.name}": not in the graph (it has ${session.inputNames.join(', ')})`];
  if (!meta.isTensor) return [`input "${m.input.name}": is not a tensor`];
  const issues: string[] = [];
  if (meta.type !== 'float32') issues.push(`input "${m.input.name}": type ${meta.type}, expected float32`);
  const shape = meta.shape;
  if (shape.length !== 4) return [...issues, `input "${m.input.name}": rank ${shape.length}, expected 4 (NCHW)`];
  const fixed = (d: number | string | undefined) => (typeof d === 'number' && d > 0 ? d : null);
  const expect = (axis: number, what: string, want: number) => {
    const got = fixed(shape[axis]);
    if (got !== null && got !== want) issues.push(`input "${m.input.name}": ${what} is ${got}, manifest says ${want}`);
  };
  expect(1, 'channels', 3);
  expect(2, 'height', m.input.height);
  expect(3, 'width', m.input.width);
  const batch = fixed(shape[0]);
  if (batch !== null && m.input.fixed_batch === undefined) {
    issues.push(`input "${m.input.name}": batch is fixed at ${batch}; declare input.fixed_batch`);
  } else if (batch !== null && batch !== m.input.fixed_batch) {
    issues.push(`input "${m.input.name}": batch is ${batch}, manifest says ${m.input.fixed_batch}`);
  }
  return issues;
}
