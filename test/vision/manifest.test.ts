import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest, VisionError, type ModelManifest } from '../../edge/vision/index.ts';
import { SHIPPED_MODEL } from './helpers.ts';

const shipped = async () => JSON.parse(await readFile(join(SHIPPED_MODEL, 'model.json'), 'utf8')) as ModelManifest;

function issuesOf(value: unknown): string[] {
  try {
    parseManifest(value);
  } catch (err) {
    expect(err).toBeInstanceOf(VisionError);
    expect((err as VisionError).code).toBe('VOLNO_MODEL_MANIFEST_INVALID');
    return [...(err as VisionError).issues];
  }
  throw new Error('manifest was accepted');
}

describe('model manifest', () => {
  it('accepts the manifest of the shipped classifier', async () => {
    const m = parseManifest(await shipped());
    expect(m.kind).toBe('classifier');
    expect(m.input.layout).toBe('NCHW');
  });

  it('names the path of every problem', async () => {
    const m = await shipped();
    const issues = issuesOf({
      ...m,
      sha256: 'abc',
      colour: 'blue',
      input: { ...m.input, pixel_format: 'yuv', width: 0 },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/sha256: /),
        '/: unknown property "colour"',
        '/input/pixel_format: must be one of "rgb", "bgr"',
        expect.stringMatching(/^\/input\/width: /),
      ]),
    );
  });

  it('requires the section that matches the kind', async () => {
    const m = await shipped();
    const { classifier: _c, ...noClassifier } = m;
    expect(issuesOf(noClassifier)).toEqual(['/classifier: is required when kind is "classifier"']);
    expect(issuesOf({ ...m, kind: 'yolox' })).toEqual(
      expect.arrayContaining(['/detector: is required when kind is "yolox"']),
    );
  });

  it('refuses an occupied index outside the labels', async () => {
    const m = await shipped();
    expect(issuesOf({ ...m, classifier: { ...m.classifier!, occupied_index: 5 } })).toEqual([
      '/classifier/occupied_index: must be < 2 (labels)',
    ]);
  });
});
