import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRgbFrame } from '../../edge/vision/index.ts';
import { requireDataset } from '../support/datasets.ts';
import { tempDir } from './helpers.ts';

describe('loadRgbFrame', () => {
  it.for([
    ['a PNG', 'pklot-ufpr05/sequence1/frames/2013-02-22_06_25_00.png', 1280, 720],
    ['a JPEG', 'pklot-ufpr05/sequence0/frames/2013-02-24_10_05_04.jpg', 1280, 720],
  ] as const)('decodes %s into packed RGB', async ([, rel, width, height], ctx) => {
    const frame = await loadRgbFrame(requireDataset(ctx, rel));
    expect([frame.width, frame.height, frame.data.length]).toEqual([width, height, width * height * 3]);
  });

  it('reports an unreadable file with its own code', async () => {
    const tmp = await tempDir();
    try {
      const path = join(tmp.dir, 'broken.jpg');
      await writeFile(path, 'not an image');
      await expect(loadRgbFrame(path)).rejects.toMatchObject({ code: 'VOLNO_IMAGE_UNREADABLE' });
    } finally {
      await tmp.remove();
    }
  });
});
