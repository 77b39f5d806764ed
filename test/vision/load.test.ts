import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOccupancyModel, sha256, type VisionErrorCode } from '../../edge/vision/index.ts';
import { greyFrame, shippedModelCopy, SHIPPED_MODEL, tempDir } from './helpers.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.remove();
});

async function codeOf(dir: string): Promise<VisionErrorCode> {
  const err = await loadOccupancyModel(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).not.toBeNull();
  return (err as { code: VisionErrorCode }).code;
}

describe('loadOccupancyModel', () => {
  it('refuses a file whose sha256 differs from the manifest', async () => {
    await shippedModelCopy(tmp.dir, (m) => ({ ...m, sha256: '0'.repeat(64) }));
    expect(await codeOf(tmp.dir)).toBe('VOLNO_MODEL_CHECKSUM');
  });

  it('refuses a model whose input size differs from the manifest', async () => {
    await shippedModelCopy(tmp.dir, (m) => ({ ...m, input: { ...m.input, width: m.input.width + 16 } }));
    expect(await codeOf(tmp.dir)).toBe('VOLNO_MODEL_SHAPE_MISMATCH');
  });

  it('refuses a manifest naming an output the graph does not have', async () => {
    await shippedModelCopy(tmp.dir, (m) => ({ ...m, classifier: { ...m.classifier!, output: 'logits' } }));
    await expect(loadOccupancyModel(tmp.dir)).rejects.toThrow(/output "logits": not in the graph/);
  });

  it('refuses a missing ONNX file and a missing manifest with their own codes', async () => {
    await shippedModelCopy(tmp.dir);
    await rm(join(tmp.dir, 'model.onnx'));
    expect(await codeOf(tmp.dir)).toBe('VOLNO_MODEL_NOT_FOUND');
    expect(await codeOf(join(tmp.dir, 'nowhere'))).toBe('VOLNO_MODEL_MANIFEST_INVALID');
  });

  it('refuses a file that is not ONNX', async () => {
    const junk = Buffer.from('not a model');
    await shippedModelCopy(tmp.dir, (m) => ({ ...m, file: 'junk.onnx', sha256: sha256(junk) }));
    await writeFile(join(tmp.dir, 'junk.onnx'), junk);
    expect(await codeOf(tmp.dir)).toBe('VOLNO_MODEL_LOAD_FAILED');
  });

  it('gives the same answers for a slot alone and inside a batch', async () => {
    const model = await loadOccupancyModel(SHIPPED_MODEL);
    const frame = greyFrame(200, 100);
    for (let i = 0; i < frame.data.length; i++) frame.data[i] = (i * 37) % 251;
    const slots = [0, 1, 2, 3, 4].map(
      (k) =>
        [
          [10 + 35 * k, 10],
          [40 + 35 * k, 12],
          [42 + 35 * k, 80],
          [8 + 35 * k, 78],
        ] as const,
    );
    const batch = await model.classify(frame, slots);
    for (let k = 0; k < slots.length; k++) {
      const alone = await model.classify(frame, [slots[k]!]);
      expect(alone[0]).toBeCloseTo(batch[k]!, 5);
    }
    expect(model.lastTimings?.inferenceMs).toBeGreaterThan(0);
    await model.close();
  });

  it('handles empty slot lists, bad frames and use after close', async () => {
    const model = await loadOccupancyModel(SHIPPED_MODEL);
    expect(await model.classify(greyFrame(10, 10), [])).toHaveLength(0);
    const broken = { ...greyFrame(10, 10), width: 20 };
    const square = [
      [1, 1],
      [8, 1],
      [8, 8],
      [1, 8],
    ] as const;
    await expect(model.classify(broken, [square])).rejects.toMatchObject({ code: 'VOLNO_FRAME_INVALID' });
    await expect(
      model.classify(greyFrame(10, 10), [
        [
          [1, 1],
          [2, 2],
        ],
      ]),
    ).rejects.toMatchObject({ code: 'VOLNO_POLYGON_INVALID', message: expect.stringMatching(/^slot 0: /) });
    await model.close();
    await model.close(); // idempotent
    await expect(model.classify(greyFrame(10, 10), [square])).rejects.toMatchObject({ code: 'VOLNO_MODEL_CLOSED' });
  });
});
