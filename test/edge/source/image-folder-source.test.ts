import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageFolderSource } from '../../../edge/source/image-folder-source.ts';
import { captureLog } from '../support/capture-log.ts';
import { labelledFrames } from '../support/ufpr05.ts';
import { waitFor } from '../support/wait.ts';

describe('the image-folder replay source', () => {
  it('replays images in name order, skips one that does not decode, and loops', async (ctx) => {
    const [a, b] = labelledFrames(ctx);
    const dir = mkdtempSync(join(tmpdir(), 'volno-replay-'));
    copyFileSync(a!.path, join(dir, '1.jpg'));
    writeFileSync(join(dir, '2.jpg'), Buffer.from('not a jpeg at all'));
    copyFileSync(b!.path, join(dir, '3.jpg'));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const frames: { index: number; width: number; sum: number }[] = [];
    const { log } = captureLog();
    const src = new ImageFolderSource({
      folder: dir,
      sampleRateFps: 20,
      loop: true,
      log,
      listener: {
        onFrame: (f) => frames.push({ index: f.index, width: f.width, sum: f.data[1000]! + f.data[500_000]! }),
        onStatus: () => {},
      },
    });
    await src.start();
    try {
      await waitFor(() => frames.length >= 3, { timeoutMs: 20_000, what: 'three frames' });
    } finally {
      await src.stop();
    }
    expect(frames[0]).toMatchObject({ index: 1, width: 1280 });
    expect(frames[2]!.sum).toBe(frames[0]!.sum); // looped back to 1.jpg
    expect(src.counters.corruptTotal).toBeGreaterThanOrEqual(1);
  });

  it('reports an empty folder as a source that is down', async () => {
    const statuses: string[] = [];
    const src = new ImageFolderSource({
      folder: mkdtempSync(join(tmpdir(), 'volno-empty-')),
      sampleRateFps: 1,
      loop: false,
      log: captureLog().log,
      listener: { onFrame: () => {}, onStatus: (s, d) => statuses.push(`${s}: ${d}`) },
    });
    await src.start();
    await src.stop();
    expect(statuses).toEqual(['down: no images in folder']);
  });
});
